package dev.tidemark.server.hub;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.util.ArrayList;
import java.util.List;

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
        List<Changes> out = new ArrayList<>();
        if (state.open() != null) {
            return continueParts(state, state.open(), rows, complete, out);
        }
        List<LoggedChange> usable = rows;
        Lsn through = upTo;
        if (!complete) {
            Lsn lastLsn = rows.get(rows.size() - 1).lsn();
            int firstOfLast = firstIndexOf(rows, lastLsn);
            if (firstOfLast == 0) {
                AssemblyState.OpenPart open = new AssemblyState.OpenPart(
                        BatchIds.of(lastLsn, epoch), state.chainLsn(), lastLsn, 1);
                return continueParts(state, open, rows, false, out);
            }
            usable = rows.subList(0, firstOfLast);
            through = rows.get(firstOfLast - 1).lsn();
        }
        Lsn prev = state.chainLsn();
        List<LoggedChange> current = new ArrayList<>();
        long currentBytes = 0;
        int start = 0;
        while (start < usable.size()) {
            int end = endOfTransaction(usable, start);
            List<LoggedChange> tx = usable.subList(start, end);
            long txBytes = bytes(tx);
            if (tx.size() > maxChanges || txBytes > maxBytes) {
                prev = flush(current, prev, current.isEmpty() ? prev : lastLsn(current), epoch, out);
                currentBytes = 0;
                Lsn txLsn = tx.get(0).lsn();
                addParts(out, BatchIds.of(txLsn, epoch), prev, txLsn, 1, tx, true);
                prev = txLsn;
            } else {
                if (current.size() + tx.size() > maxChanges || currentBytes + txBytes > maxBytes) {
                    prev = flush(current, prev, lastLsn(current), epoch, out);
                    currentBytes = 0;
                }
                current.addAll(tx);
                currentBytes += txBytes;
            }
            start = end;
        }
        prev = flush(current, prev, through, epoch, out);
        return new Assembled(out, new AssemblyState(LogPosition.afterTransaction(through), prev, through, null));
    }

    private Assembled continueParts(AssemblyState state, AssemblyState.OpenPart open, List<LoggedChange> rows,
                                    boolean complete, List<Changes> out) {
        List<LoggedChange> send = complete ? rows : rows.subList(0, Math.min(maxChanges, rows.size()));
        int next = addParts(out, open.batchId(), open.prevLsn(), open.lsn(), open.nextPart(), send, complete);
        if (complete) {
            return new Assembled(out, new AssemblyState(LogPosition.afterTransaction(open.lsn()), open.lsn(),
                    open.lsn(), null));
        }
        LogPosition cursor = send.get(send.size() - 1).position();
        return new Assembled(out, new AssemblyState(cursor, state.chainLsn(), state.readPos(),
                new AssemblyState.OpenPart(open.batchId(), open.prevLsn(), open.lsn(), next)));
    }

    /** Adds {@code rows} as parts from {@code part}; the final one is {@code last} when {@code finish}. */
    private int addParts(List<Changes> out, String batchId, Lsn prevLsn, Lsn lsn, int part,
                         List<LoggedChange> rows, boolean finish) {
        List<List<Change>> chunks = split(rows);
        if (chunks.isEmpty() && finish) {
            chunks = List.of(List.of());
        }
        for (int i = 0; i < chunks.size(); i++) {
            boolean last = finish && i == chunks.size() - 1;
            out.add(Changes.part(batchId, prevLsn, lsn, part++, last, chunks.get(i)));
        }
        return part;
    }

    private List<List<Change>> split(List<LoggedChange> rows) {
        List<List<Change>> chunks = new ArrayList<>();
        List<Change> chunk = new ArrayList<>();
        long chunkBytes = 0;
        for (LoggedChange row : rows) {
            long size = ChangeSize.of(row.change());
            if (!chunk.isEmpty() && (chunk.size() >= maxChanges || chunkBytes + size > maxBytes)) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
                chunkBytes = 0;
            }
            chunk.add(row.change());
            chunkBytes += size;
        }
        if (!chunk.isEmpty()) {
            chunks.add(chunk);
        }
        return chunks;
    }

    /** Emits {@code current} as one batch (prev, lsn] when it holds changes; returns the new chain position. */
    private static Lsn flush(List<LoggedChange> current, Lsn prev, Lsn lsn, int epoch, List<Changes> out) {
        if (current.isEmpty()) {
            return prev;
        }
        List<Change> changes = new ArrayList<>(current.size());
        for (LoggedChange row : current) {
            changes.add(row.change());
        }
        out.add(Changes.of(new ChangeBatch(BatchIds.of(lsn, epoch), prev, lsn, changes)));
        current.clear();
        return lsn;
    }

    /** An empty batch (prev, lsn]: it only moves the client's position. */
    static Changes emptyBatch(Lsn prev, Lsn lsn, int epoch) {
        return Changes.of(new ChangeBatch(BatchIds.of(lsn, epoch), prev, lsn, List.of()));
    }

    private static Lsn lastLsn(List<LoggedChange> rows) {
        return rows.get(rows.size() - 1).lsn();
    }

    private static long bytes(List<LoggedChange> rows) {
        long total = 0;
        for (LoggedChange row : rows) {
            total += ChangeSize.of(row.change());
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

    private static int endOfTransaction(List<LoggedChange> rows, int start) {
        Lsn lsn = rows.get(start).lsn();
        int end = start + 1;
        while (end < rows.size() && rows.get(end).lsn().equals(lsn)) {
            end++;
        }
        return end;
    }
}
