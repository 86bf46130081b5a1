package dev.tidemark.server.hub;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;

/**
 * Turns change-log rows into {@code changes} messages: whole transactions per batch, each message within
 * the change and byte bounds, a transaction over a bound split into parts. Pure: no I/O, no state.
 *
 * <p>Rows come from a read of at most {@link #readLimit()} changes after the state's cursor. When the read
 * hit the limit, the last transaction may continue beyond it: it is left for the next read, unless it fills
 * the whole page, in which case it starts a multi-part batch whose parts follow read by read, so a huge
 * transaction is never held whole in memory.
 */
final class BatchAssembler {

    private final int maxChanges;
    private final long maxBytes;

    BatchAssembler(int maxChanges, long maxBytes) {
        this.maxChanges = maxChanges;
        this.maxBytes = maxBytes;
    }

    /** The limit to read with: one more than fits a message, to see whether a transaction goes on. */
    int readLimit() {
        return maxChanges + 1;
    }

    /** The result: messages in send order and the state after them. */
    record Assembled(List<Changes> messages, AssemblyState next) {}

    /**
     * @param state where the stream stands; when it has an open part, {@code rows} were read up to that
     *     part's LSN only
     * @param rows the changes read after {@code state.cursor()}, already filtered for the client
     * @param upTo the read's upper bound
     * @param complete whether {@code rows} hold every wanted change up to {@code upTo} (the read returned
     *     fewer than {@link #readLimit()} rows, or they are a complete captured range)
     * @param epoch the connection's rewind count, for batch ids
     */
    Assembled assemble(AssemblyState state, List<LoggedChange> rows, Lsn upTo, boolean complete, int epoch) {
        return assemble(state, rows, row -> Checksum.of(rows.get(row).change()), upTo, complete, epoch);
    }

    /**
     * As {@link #assemble(AssemblyState, List, Lsn, boolean, int)}, with each row's checksum known already
     * ({@code checksums} by row index), so a message's checksum is their sum. The messages' data are consecutive
     * runs of {@code rows}, in order.
     */
    Assembled assemble(AssemblyState state, List<LoggedChange> rows, IntToLongFunction checksums, Lsn upTo,
                       boolean complete, int epoch) {
        Rows source = new Rows(rows, checksums);
        List<Changes> out = new ArrayList<>();
        if (state.open() != null) {
            return continueParts(state, state.open(), source, complete, out);
        }
        int usable = rows.size();
        Lsn through = upTo;
        if (!complete) {
            Lsn lastLsn = rows.get(rows.size() - 1).lsn();
            int firstOfLast = firstIndexOf(rows, lastLsn);
            if (firstOfLast == 0) {
                AssemblyState.OpenPart open = new AssemblyState.OpenPart(
                        BatchIds.of(lastLsn, epoch), state.chainLsn(), lastLsn, 1);
                return continueParts(state, open, source, false, out);
            }
            usable = firstOfLast;
            through = rows.get(firstOfLast - 1).lsn();
        }
        Lsn prev = state.chainLsn();
        int current = 0; // the batch being filled: rows current to start
        long currentBytes = 0;
        int start = 0;
        while (start < usable) {
            int end = endOfTransaction(rows, start, usable);
            long txBytes = bytes(rows, start, end);
            if (end - start > maxChanges || txBytes > maxBytes) {
                prev = flush(source, current, start, prev, current == start ? prev : rows.get(start - 1).lsn(),
                        epoch, out);
                Lsn txLsn = rows.get(start).lsn();
                addParts(out, BatchIds.of(txLsn, epoch), prev, txLsn, 1, source, start, end, true);
                prev = txLsn;
                current = end;
                currentBytes = 0;
            } else {
                if (end - current > maxChanges || currentBytes + txBytes > maxBytes) {
                    prev = flush(source, current, start, prev, rows.get(start - 1).lsn(), epoch, out);
                    current = start;
                    currentBytes = 0;
                }
                currentBytes += txBytes;
            }
            start = end;
        }
        prev = flush(source, current, usable, prev, through, epoch, out);
        return new Assembled(out, new AssemblyState(LogPosition.afterTransaction(through), prev, through, null));
    }

    /**
     * Parts of the batch of transaction {@code lsn} made from changes logged ahead of its end ({@code rows}, the
     * wanted ones of one chunk): they open the batch (its {@code prevLsn} is the state's chain position) or continue
     * it, and none is the last; the batch's last part comes from the log once the transaction is whole there. The
     * cursor moves to the last row sent; without rows nothing changes.
     */
    Assembled ahead(AssemblyState state, List<LoggedChange> rows, IntToLongFunction checksums, Lsn lsn, int epoch) {
        if (rows.isEmpty()) {
            return new Assembled(List.of(), state);
        }
        AssemblyState.OpenPart open = state.open() != null ? state.open()
                : new AssemblyState.OpenPart(BatchIds.of(lsn, epoch), state.chainLsn(), lsn, 1);
        if (!open.lsn().equals(lsn)) {
            throw new IllegalStateException("the open batch is of transaction " + open.lsn() + ", not " + lsn);
        }
        List<Changes> out = new ArrayList<>();
        int next = addParts(out, open.batchId(), open.prevLsn(), lsn, open.nextPart(), new Rows(rows, checksums), 0,
                rows.size(), false);
        return new Assembled(out, new AssemblyState(rows.get(rows.size() - 1).position(), state.chainLsn(),
                state.readPos(), new AssemblyState.OpenPart(open.batchId(), open.prevLsn(), lsn, next)));
    }

    /** The rows and their checksums. */
    private record Rows(List<LoggedChange> list, IntToLongFunction checksums) {

        /** The changes of rows {@code from} to {@code to} (exclusive) and their checksum. */
        Changes message(String batchId, Lsn prevLsn, Lsn lsn, Integer part, Boolean last, int from, int to) {
            List<Change> changes = new ArrayList<>(to - from);
            long checksum = 0;
            for (int i = from; i < to; i++) {
                changes.add(list.get(i).change());
                checksum += checksums.applyAsLong(i);
            }
            return new Changes(batchId, prevLsn, lsn, checksum, part, last, changes);
        }
    }

    private Assembled continueParts(AssemblyState state, AssemblyState.OpenPart open, Rows rows, boolean complete,
                                    List<Changes> out) {
        int send = complete ? rows.list().size() : Math.min(maxChanges, rows.list().size());
        int next = addParts(out, open.batchId(), open.prevLsn(), open.lsn(), open.nextPart(), rows, 0, send, complete);
        if (complete) {
            return new Assembled(out, new AssemblyState(LogPosition.afterTransaction(open.lsn()), open.lsn(),
                    open.lsn(), null));
        }
        LogPosition cursor = rows.list().get(send - 1).position();
        return new Assembled(out, new AssemblyState(cursor, state.chainLsn(), state.readPos(),
                new AssemblyState.OpenPart(open.batchId(), open.prevLsn(), open.lsn(), next)));
    }

    /**
     * Adds rows {@code from} to {@code to} as parts numbered from {@code part}, each within the bounds; the
     * final one is {@code last} when {@code finish} (an empty last part when there are no rows).
     */
    private int addParts(List<Changes> out, String batchId, Lsn prevLsn, Lsn lsn, int part, Rows rows, int from,
                         int to, boolean finish) {
        if (from == to) {
            if (finish) {
                out.add(rows.message(batchId, prevLsn, lsn, part++, true, from, to));
            }
            return part;
        }
        int chunk = from;
        long chunkBytes = 0;
        for (int i = from; i < to; i++) {
            long size = ChangeSize.of(rows.list().get(i).change());
            if (i > chunk && (i - chunk >= maxChanges || chunkBytes + size > maxBytes)) {
                out.add(rows.message(batchId, prevLsn, lsn, part++, false, chunk, i));
                chunk = i;
                chunkBytes = 0;
            }
            chunkBytes += size;
        }
        out.add(rows.message(batchId, prevLsn, lsn, part++, finish, chunk, to));
        return part;
    }

    /** Emits rows {@code from} to {@code to} as one batch (prev, lsn] when there are any; returns the new chain end. */
    private static Lsn flush(Rows rows, int from, int to, Lsn prev, Lsn lsn, int epoch, List<Changes> out) {
        if (from == to) {
            return prev;
        }
        out.add(rows.message(BatchIds.of(lsn, epoch), prev, lsn, null, null, from, to));
        return lsn;
    }

    /** An empty batch (prev, lsn]: it only moves the client's position. */
    static Changes emptyBatch(Lsn prev, Lsn lsn, int epoch) {
        return Changes.of(new ChangeBatch(BatchIds.of(lsn, epoch), prev, lsn, List.of()));
    }

    private static long bytes(List<LoggedChange> rows, int from, int to) {
        long total = 0;
        for (int i = from; i < to; i++) {
            total += ChangeSize.of(rows.get(i).change());
        }
        return total;
    }

    private static int firstIndexOf(List<LoggedChange> rows, Lsn lsn) {
        int i = rows.size() - 1;
        while (i > 0 && rows.get(i - 1).lsn().equals(lsn)) {
            i--;
        }
        return i;
    }

    private static int endOfTransaction(List<LoggedChange> rows, int start, int limit) {
        Lsn lsn = rows.get(start).lsn();
        int end = start + 1;
        while (end < limit && rows.get(end).lsn().equals(lsn)) {
            end++;
        }
        return end;
    }
}
