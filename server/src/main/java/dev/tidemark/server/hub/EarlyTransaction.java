package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.LoggedChunk;
import dev.tidemark.server.spi.LoggedChange;
import java.util.ArrayList;
import java.util.List;

/**
 * The large transaction capture is writing now, as the chunks it logged ahead of the transaction's end: the most
 * recent ones, consecutive, within a byte budget (as large as the live buffer's). A session at {@link #after()}
 * sends them as parts of the transaction's batch while capture writes the rest; one that falls behind the oldest
 * chunk kept waits for the transaction to be whole and reads the rest from the log. Immutable.
 *
 * @param after the capture position before the transaction: every earlier transaction is at or before it
 * @param lsn the transaction's commit LSN
 * @param kept consecutive chunks with their estimated bytes, oldest first
 * @param bytes their estimated bytes in memory
 */
record EarlyTransaction(Lsn after, Lsn lsn, List<Kept> kept, long bytes) {

    /** A chunk kept, with its estimated bytes in memory ({@link #estimatedBytes}). */
    record Kept(LoggedChunk chunk, long bytes) {}

    /**
     * Most chunks kept, whatever their size (a bound on the list, not on memory: the byte budget is what binds). A
     * session behind the oldest chunk kept reads the transaction from the log once it is whole.
     */
    static final int MAX_CHUNKS = 64;

    EarlyTransaction {
        kept = List.copyOf(kept);
    }

    /**
     * The transaction's first chunk, of {@code size} estimated bytes; {@code null} when it does not start at
     * {@code seq} 0 or is larger than {@code maxBytes}.
     */
    static EarlyTransaction first(LoggedChunk chunk, long size, long maxBytes) {
        return chunk.firstSeq() == 0 && size <= maxBytes
                ? new EarlyTransaction(chunk.after(), chunk.lsn(), List.of(new Kept(chunk, size)), size) : null;
    }

    /**
     * This transaction with {@code chunk} (of {@code size} estimated bytes) added, the oldest dropped beyond
     * {@link #MAX_CHUNKS} or {@code maxBytes}; {@code null} when the chunk does not continue it (another
     * transaction, or a gap) or alone exceeds {@code maxBytes}.
     */
    EarlyTransaction with(LoggedChunk chunk, long size, long maxBytes) {
        LoggedChunk last = kept.get(kept.size() - 1).chunk();
        if (!chunk.lsn().equals(lsn) || chunk.firstSeq() != last.nextSeq() || size > maxBytes) {
            return null;
        }
        List<Kept> next = new ArrayList<>(kept);
        next.add(new Kept(chunk, size));
        long total = bytes + size;
        while (next.size() > MAX_CHUNKS || total > maxBytes) {
            total -= next.remove(0).bytes();
        }
        return new EarlyTransaction(after, lsn, next, total);
    }

    /** The chunks kept, oldest first. */
    List<LoggedChunk> chunks() {
        return kept.stream().map(Kept::chunk).toList();
    }

    /** The chunk that holds the change {@code seq}, or {@code null} (not written yet, or dropped). */
    LoggedChunk chunkHolding(int seq) {
        for (Kept each : kept) {
            if (each.chunk().firstSeq() <= seq && seq < each.chunk().nextSeq()) {
                return each.chunk();
            }
        }
        return null;
    }

    /** As a {@link LiveRange} estimates its changes: each change, its encoding and checksum. */
    static long estimatedBytes(LoggedChunk chunk) {
        long bytes = 64;
        for (LoggedChange change : chunk.changes()) {
            bytes += 2 * ChangeSize.of(change.change()) + 48 + 12;
        }
        return bytes;
    }
}
