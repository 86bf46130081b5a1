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
 * @param chunks consecutive chunks, oldest first
 * @param bytes their estimated bytes in memory
 */
record EarlyTransaction(Lsn after, Lsn lsn, List<LoggedChunk> chunks, long bytes) {

    /**
     * Most chunks kept, whatever their size (a bound on the list, not on memory: the byte budget is what binds). A
     * session behind the oldest chunk kept reads the transaction from the log once it is whole.
     */
    static final int MAX_CHUNKS = 64;

    EarlyTransaction {
        chunks = List.copyOf(chunks);
    }

    /**
     * The transaction's first chunk; {@code null} when it does not start at {@code seq} 0 or is larger than
     * {@code maxBytes}.
     */
    static EarlyTransaction first(LoggedChunk chunk, long maxBytes) {
        long bytes = estimatedBytes(chunk);
        return chunk.firstSeq() == 0 && bytes <= maxBytes
                ? new EarlyTransaction(chunk.after(), chunk.lsn(), List.of(chunk), bytes) : null;
    }

    /**
     * This transaction with {@code chunk} added, the oldest dropped beyond {@link #MAX_CHUNKS} or {@code maxBytes};
     * {@code null} when the chunk does not continue it (another transaction, or a gap) or alone exceeds
     * {@code maxBytes}.
     */
    EarlyTransaction with(LoggedChunk chunk, long maxBytes) {
        LoggedChunk last = chunks.get(chunks.size() - 1);
        long added = estimatedBytes(chunk);
        if (!chunk.lsn().equals(lsn) || chunk.firstSeq() != last.nextSeq() || added > maxBytes) {
            return null;
        }
        List<LoggedChunk> kept = new ArrayList<>(chunks);
        kept.add(chunk);
        long total = bytes + added;
        while (kept.size() > MAX_CHUNKS || total > maxBytes) {
            total -= estimatedBytes(kept.remove(0));
        }
        return new EarlyTransaction(after, lsn, kept, total);
    }

    /** The chunk that holds the change {@code seq}, or {@code null} (not written yet, or dropped). */
    LoggedChunk chunkHolding(int seq) {
        for (LoggedChunk chunk : chunks) {
            if (chunk.firstSeq() <= seq && seq < chunk.nextSeq()) {
                return chunk;
            }
        }
        return null;
    }

    /** As a {@link LiveRange} estimates its changes: each change, its encoding and checksum. */
    private static long estimatedBytes(LoggedChunk chunk) {
        long bytes = 64;
        for (LoggedChange change : chunk.changes()) {
            bytes += 2 * ChangeSize.of(change.change()) + 48 + 12;
        }
        return bytes;
    }
}
