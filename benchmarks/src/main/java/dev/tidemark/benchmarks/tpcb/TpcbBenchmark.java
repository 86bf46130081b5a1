package dev.tidemark.benchmarks.tpcb;

import dev.tidemark.benchmarks.endtoend.LocalTidemark;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.runtime.ServerRuntime;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Lag under an outside workload: pgbench's builtin TPC-B at a paced rate writes the source while one client of a
 * real server (embedded PostgreSQL, capture, change log, hub, WebSocket, SQLite) follows it, and a probe measures
 * how far behind the source the client is (see {@link Lags} for how the lag is defined and which way it can err).
 *
 * <p>{@code ./tidemark bench --only tpcb} runs it. pgbench is an outside program; {@link PgbenchLocator} finds it.
 */
public final class TpcbBenchmark {

    /** The four tables of pgbench's TPC-B, all captured. */
    static final List<String> TABLES = List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers",
            "pgbench_history");

    private static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** How often the client's committed position is read, as the e2e latency's sampler does. */
    private static final long CLIENT_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(2);

    private TpcbBenchmark() {}

    /**
     * The workload.
     *
     * @param rate transactions per second pgbench is told to offer ({@code -R})
     * @param seconds how long pgbench runs ({@code -T})
     * @param scale pgbench's scale factor ({@code -i -s}): 100,000 accounts, 10 tellers and 1 branch per unit
     * @param clients pgbench's connections ({@code -c}; {@code -j} is 2, or 1 for one client)
     */
    public record Load(int rate, int seconds, int scale, int clients) {}

    /**
     * What one run measured.
     *
     * @param load the workload
     * @param tps transactions per second pgbench committed, by its own {@code tps = } line
     * @param transactions transactions pgbench committed
     * @param captured transactions of the run that the change log holds
     * @param lags the client's lag at each probe
     */
    public record Result(Load load, double tps, long transactions, long captured, Lags lags) {

        /** The lag figures (the source's committed state at each probe → client commit). */
        public LagStats lag() {
            return lags.lag();
        }
    }

    /** Runs the benchmark with {@code pgbench}, its own output and pgbench's going to {@code log}. */
    public static Result measure(Path pgbench, Load load, PrintStream log) throws Exception {
        try (LocalTidemark system = LocalTidemark.start("tidemark-tpcb-bench")) {
            SourceSettings source = system.source();
            Pgbench program = new Pgbench(pgbench, source, log);
            long start = System.nanoTime();
            program.initialize(load.scale());
            try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
                // pgbench's history has no key, and Tidemark identifies every row by its primary key; pgbench's
                // INSERT names its columns, so a generated one does.
                statement.execute("ALTER TABLE pgbench_history ADD COLUMN hid bigserial PRIMARY KEY");
            }
            log.printf(Locale.ROOT, "pgbench -i -s %d and history's key took %.1f s%n", load.scale(),
                    (System.nanoTime() - start) / 1e9);
            try (ServerRuntime server = system.startServer(TABLES, Optional.empty());
                 TidemarkClient client = system.client(server, "tpcb-client").start()) {
                start = System.nanoTime();
                // the rows pgbench -i wrote reach the client as table snapshots
                client.caughtUp().get(120L + 60L * load.scale(), TimeUnit.SECONDS);
                log.printf(Locale.ROOT, "client caught up with the %,d pgbench rows in %.1f s (table snapshots)%n",
                        rows(load.scale()), (System.nanoTime() - start) / 1e9);
                return run(program, server, client, source, load, log);
            }
        }
    }

    private static Result run(Pgbench program, ServerRuntime server, TidemarkClient client, SourceSettings source,
                              Load load, PrintStream log) throws Exception {
        try (Connection probeConnection = source.connect();
             PreparedStatement wal = probeConnection.prepareStatement("SELECT pg_current_wal_lsn()::text");
             PositionSampler clientPositions = PositionSampler.start("tpcb-client-position", CLIENT_POLL_NANOS, true,
                     () -> client.status().committedLsn().value())) {
            long origin = System.nanoTime();
            Pgbench.Run run;
            PositionLog probes;
            try (PositionSampler walProbes = PositionSampler.start("tpcb-wal-probe", PROBE_INTERVAL_NANOS, false,
                    () -> walPosition(wal))) {
                run = program.tpcb(load.clients(), load.rate(), load.seconds());
                probes = walProbes.stop();
            }
            Commits commits = drain(server, client, source);
            log.printf(Locale.ROOT, "change log: %,d transactions (pgbench counted %,d), changes by table %s%n",
                    commits.positions().length, run.transactions(), commits.changesByTable());
            Lags lags = Lags.of(probes, clientPositions.stop(), commits.positions(), origin);
            Result result = new Result(load, run.tps(), run.transactions(), commits.positions().length, lags);
            print(result, log);
            return result;
        }
    }

    /**
     * Waits until capture has logged everything pgbench committed and the client has committed it, and returns
     * the change log's transactions.
     */
    private static Commits drain(ServerRuntime server, TidemarkClient client, SourceSettings source)
            throws SQLException {
        Lsn end = walPosition(source);
        server.capture().heartbeatNow();
        await(() -> !server.changeLog().state().orElseThrow().capturePosition().isBefore(end),
                "capture to log the source up to " + end);
        Commits commits = Commits.read(server.changeLog());
        Set<String> missing = new TreeSet<>(TABLES);
        missing.removeAll(commits.changesByTable().keySet());
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the change log holds no change of " + missing + " after the pgbench"
                    + " run: is the table excluded from capture (the server's log says why)?");
        }
        Lsn last = Lsn.of(commits.positions()[commits.positions().length - 1]);
        await(() -> !client.status().committedLsn().isBefore(last), "the client to commit the last transaction, "
                + last);
        return commits;
    }

    private static void print(Result result, PrintStream log) {
        Load load = result.load();
        Lags lags = result.lags();
        log.printf(Locale.ROOT, "%nlag under pgbench TPC-B (scale %d, %d clients) at %,d tps offered (%,.0f committed)"
                        + " for %d s, source's committed state at each probe → client commit: p50 %.1f ms,"
                        + " p99 %.1f ms, max %.1f ms (%,d probes; %,d before the first commit not counted)%n",
                load.scale(), load.clients(), load.rate(), result.tps(), load.seconds(), lags.lag().p50(),
                lags.lag().p99(), lags.lag().max(), lags.lag().samples(), lags.beforeFirstCommit());
        log.println("  p99 of each second (ms): " + seconds(lags.lag()));
        log.printf(Locale.ROOT, "  by the probe's own WAL position instead (waits for the next commit after the"
                        + " probe, so it overstates): p50 %.1f ms, p99 %.1f ms, max %.1f ms (%,d probes; %,d after"
                        + " the last commit not counted)%n", lags.passedLag().p50(), lags.passedLag().p99(),
                lags.passedLag().max(), lags.passedLag().samples(), lags.notPassed());
        log.println("  its p99 of each second (ms): " + seconds(lags.passedLag()));
    }

    private static String seconds(LagStats stats) {
        return stats.secondsP99().stream().map(p -> String.format(Locale.ROOT, "%.0f", p))
                .collect(Collectors.joining(" "));
    }

    private static long rows(int scale) {
        return scale * (100_000L + 10 + 1);
    }

    /**
     * The commit positions of the transactions in the change log, and how many changes each table has there.
     *
     * @param positions ascending, one per transaction
     */
    private record Commits(long[] positions, Map<String, Long> changesByTable) {

        static Commits read(ChangeLog changeLog) {
            Lsn upTo = changeLog.state().orElseThrow().capturePosition();
            long[] positions = new long[1024];
            int count = 0;
            Map<String, Long> changesByTable = new TreeMap<>();
            LogPosition after = new LogPosition(Lsn.ZERO, Integer.MAX_VALUE);
            while (true) {
                List<LoggedChange> page = changeLog.read(after, upTo, Set.of(), 5_000);
                if (page.isEmpty()) {
                    return new Commits(Arrays.copyOf(positions, count), changesByTable);
                }
                for (LoggedChange change : page) {
                    if (count == 0 || positions[count - 1] != change.lsn().value()) {
                        if (count == positions.length) {
                            positions = Arrays.copyOf(positions, count * 2);
                        }
                        positions[count++] = change.lsn().value();
                    }
                    changesByTable.merge(change.change().entityType(), 1L, Long::sum);
                }
                after = page.get(page.size() - 1).position();
            }
        }
    }

    private static long walPosition(PreparedStatement wal) throws SQLException {
        try (ResultSet row = wal.executeQuery()) {
            row.next();
            return Lsn.parse(row.getString(1)).value();
        }
    }

    private static Lsn walPosition(SourceSettings source) throws SQLException {
        try (Connection connection = source.connect();
             PreparedStatement wal = connection.prepareStatement("SELECT pg_current_wal_lsn()::text")) {
            return Lsn.of(walPosition(wal));
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited " + DRAIN_TIMEOUT.toSeconds() + " s for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
