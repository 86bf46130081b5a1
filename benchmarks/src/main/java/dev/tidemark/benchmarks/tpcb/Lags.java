package dev.tidemark.benchmarks.tpcb;

import java.util.Arrays;

/**
 * How far the client was behind the source at each probe, by two definitions. A probe is a source WAL position
 * {@code P} ({@code pg_current_wal_lsn()}) read at time {@code t}. The client's committed position only ever moves
 * to the commit position of a captured transaction (or, every heartbeat interval, a heartbeat's), so:
 * <ul>
 * <li>{@link #lag()}, the figure: the lag of the source's committed state at {@code t}. Its last captured commit
 * before {@code P} (a commit record that starts before {@code P} was written by {@code t}) is {@code c}; the lag is
 * when the client's committed position first reached {@code c}, less {@code t} (0 when it already had). It can
 * overstate by the few hundred microseconds a commit whose record was written by {@code t} still needed to return
 * (its flush); it does not wait for anything the source did after {@code t}. Against a latency counted from each
 * transaction's commit (the e2e figure) it is lower by the age of that last commit at {@code t}, under the gap
 * between two commits.</li>
 * <li>{@link #passedLag()}: when the client's committed position first passed {@code P} itself, less {@code t} —
 * the e2e latency's test ({@code committed.isAfter(position)}) applied to a position read between transactions.
 * No commit before {@code P} can pass it, so it also waits for the source's next captured commit after the probe
 * and that transaction's own flush: it overstates the lag by that gap (about 1 ms at 1,000 tps, more when pgbench's
 * Poisson schedule leaves a gap). Probes after the last commit are never passed and not counted.</li>
 * </ul>
 *
 * @param lag the client's lag behind the source's committed state at each probe (the figure)
 * @param passedLag the time until the client's position passed each probe's WAL position (overstates)
 * @param probes probes taken
 * @param beforeFirstCommit probes with no captured commit before them (nothing to wait for; not counted)
 * @param notPassed probes the client's position never passed (after the last commit; not counted in
 *     {@code passedLag})
 */
record Lags(LagStats lag, LagStats passedLag, int probes, int beforeFirstCommit, int notPassed) {

    /**
     * @param probes the source's WAL positions and when each was read
     * @param client the client's committed positions, each when it was first seen (increasing)
     * @param commits the commit positions of the captured transactions, ascending
     * @param origin the start of the run's first second (for the per-second p99s)
     * @throws IllegalStateException when the client never reached a commit a probe waits for
     */
    static Lags of(PositionLog probes, PositionLog client, long[] commits, long origin) {
        double[] lag = new double[probes.size()];
        long[] lagAt = new long[probes.size()];
        double[] passed = new double[probes.size()];
        long[] passedAt = new long[probes.size()];
        int lags = 0;
        int passes = 0;
        int beforeFirstCommit = 0;
        int notPassed = 0;
        for (int i = 0; i < probes.size(); i++) {
            long position = probes.position(i);
            long at = probes.nanos(i);
            int before = Arrays.binarySearch(commits, position);
            // the index of the last commit strictly before the probe's position
            int last = (before >= 0 ? before : -before - 1) - 1;
            if (last < 0) {
                beforeFirstCommit++;
            } else {
                int reached = client.firstAtOrAfter(commits[last]);
                if (reached == client.size()) {
                    throw new IllegalStateException("the client never reached commit " + commits[last]
                            + " (probe " + i + "); its last position was " + client.last());
                }
                lag[lags] = Math.max(0, client.nanos(reached) - at) / 1e6;
                lagAt[lags++] = at;
            }
            int past = position == Long.MAX_VALUE ? client.size() : client.firstAtOrAfter(position + 1);
            if (past == client.size()) {
                notPassed++;
            } else {
                passed[passes] = Math.max(0, client.nanos(past) - at) / 1e6;
                passedAt[passes++] = at;
            }
        }
        return new Lags(LagStats.of(Arrays.copyOf(lag, lags), Arrays.copyOf(lagAt, lags), origin),
                LagStats.of(Arrays.copyOf(passed, passes), Arrays.copyOf(passedAt, passes), origin),
                probes.size(), beforeFirstCommit, notPassed);
    }
}
