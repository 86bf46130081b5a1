package dev.tidemark.server.changelog.postgres;

import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.ChangeLogException;
import dev.tidemark.server.spi.LoggedChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one {@code append} writes, worked out from the log's state before any SQL runs.
 *
 * <p>Idempotency without a conflict check per row: a transaction is always written whole before the
 * capture position moves past it, so a change at or before the capture position is a replay and is
 * dropped; beyond it, only the pending transaction's changes {@code 0..lastSeq} can exist, so those
 * are dropped too. Everything left is new and goes in with a plain {@code COPY}; the primary key
 * (lsn, seq) still guards against a bug, failing the append rather than doubling a change.
 *
 * @param toWrite the new changes, in (lsn, seq) order
 * @param completed the transactions this append completes, in commit order
 * @param newState the log's state after the append
 */
record AppendPlan(List<LoggedChange> toWrite, List<TransactionSummary> completed, LogState newState) {

    /** Whether the append moves the capture position. */
    boolean movesPosition(LogState before) {
        return newState.capturePosition().isAfter(before.capturePosition());
    }

    static AppendPlan of(LogState state, List<LoggedChange> changes, Optional<Lsn> newCapturePosition) {
        Lsn position = state.capturePosition();
        Lsn target = newCapturePosition.filter(p -> p.isAfter(position)).orElse(position);
        PendingTransaction pending = state.pending();

        List<LoggedChange> toWrite = new ArrayList<>(changes.size());
        LoggedChange previous = null;
        for (LoggedChange change : changes) {
            if (!change.lsn().isAfter(position)) {
                continue;
            }
            if (pending != null && change.lsn().equals(pending.lsn()) && change.seq() <= pending.lastSeq()) {
                continue;
            }
            checkFollows(previous, pending, change);
            toWrite.add(change);
            previous = change;
        }

        List<TransactionSummary> completed = new ArrayList<>();
        long cumulative = state.checksumTotal();
        java.util.TreeMap<String, Long> typeTotals = new java.util.TreeMap<>(state.typeTotals());
        PendingTransaction newPending = pending != null && pending.lsn().isAfter(target) ? pending : null;
        int i = 0;
        boolean pendingDone = pending == null || pending.lsn().isAfter(target);
        while (i < toWrite.size() || !pendingDone) {
            Lsn lsn = i < toWrite.size() ? toWrite.get(i).lsn() : null;
            if (!pendingDone && (lsn == null || !pending.lsn().isAfter(lsn))) {
                lsn = pending.lsn();
            }
            long checksum = 0;
            int count = 0;
            long xid;
            java.time.Instant committedAt;
            List<String> entityTypes = new ArrayList<>(2);
            java.util.Map<String, Long> typeSums = new java.util.HashMap<>(4);
            if (pending != null && lsn.equals(pending.lsn())) {
                checksum = pending.checksum();
                count = pending.lastSeq() + 1;
                xid = pending.xid();
                committedAt = pending.committedAt();
                entityTypes.addAll(pending.entityTypes());
                typeSums.putAll(pending.typeChecksums());
                pendingDone = true;
            } else {
                xid = toWrite.get(i).xid();
                committedAt = toWrite.get(i).change().timestamp();
            }
            while (i < toWrite.size() && toWrite.get(i).lsn().equals(lsn)) {
                LoggedChange change = toWrite.get(i);
                long changeChecksum = Checksum.of(change.change());
                checksum += changeChecksum;
                String entityType = change.change().entityType();
                typeSums.merge(entityType, changeChecksum, Long::sum);
                if (!entityTypes.contains(entityType)) {
                    entityTypes.add(entityType);
                }
                count++;
                xid = change.xid();
                committedAt = change.change().timestamp();
                i++;
            }
            if (entityTypes.size() > 1) {
                entityTypes.sort(null);
            }
            if (lsn.isAfter(target)) {
                if (i < toWrite.size()) {
                    throw new ChangeLogException("changes of two transactions (" + lsn + " and "
                            + toWrite.get(i).lsn() + ") are beyond the new capture position " + target
                            + ": only the one transaction being written in chunks may be");
                }
                if (newPending != null && !newPending.lsn().equals(lsn)) {
                    throw new ChangeLogException("transaction " + lsn + " is written in chunks while transaction "
                            + newPending.lsn() + " is still incomplete: only one may be");
                }
                newPending = new PendingTransaction(lsn, count - 1, checksum, xid, committedAt, entityTypes, typeSums);
            } else {
                cumulative += checksum;
                java.util.Map<String, Long> typeCumulative = new java.util.HashMap<>(typeSums.size() * 2);
                for (java.util.Map.Entry<String, Long> sum : typeSums.entrySet()) {
                    long total = typeTotals.getOrDefault(sum.getKey(), 0L) + sum.getValue();
                    typeTotals.put(sum.getKey(), total);
                    typeCumulative.put(sum.getKey(), total);
                }
                completed.add(new TransactionSummary(lsn, xid, count, checksum, cumulative, committedAt, entityTypes,
                        typeCumulative));
            }
        }
        LogState newState = new LogState(state.historyId(), target, state.retainedFrom(), cumulative,
                state.trimmedChecksum(), newPending, typeTotals, state.typeChecksumsKnown());
        return new AppendPlan(List.copyOf(toWrite), List.copyOf(completed), newState);
    }

    /** New changes must continue their transaction without a gap and keep (lsn, seq) order. */
    private static void checkFollows(LoggedChange previous, PendingTransaction pending, LoggedChange change) {
        int expectedSeq;
        if (previous != null && previous.lsn().equals(change.lsn())) {
            expectedSeq = previous.seq() + 1;
        } else {
            if (previous != null && !change.lsn().isAfter(previous.lsn())) {
                throw new ChangeLogException("changes out of order: " + change.position() + " after "
                        + previous.position() + "; append changes in (lsn, seq) order");
            }
            expectedSeq = pending != null && pending.lsn().equals(change.lsn()) ? pending.lastSeq() + 1 : 0;
        }
        if (change.seq() != expectedSeq) {
            throw new ChangeLogException("change " + change.position() + " leaves a gap: expected seq "
                    + expectedSeq + " of transaction " + change.lsn() + "; append a transaction's changes from seq 0,"
                    + " in order");
        }
    }
}
