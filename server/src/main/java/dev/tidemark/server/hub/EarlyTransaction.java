package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.LoggedChunk;
import java.util.ArrayList;
import java.util.List;

/**
 * The large transaction capture is writing now, as the chunks it logged ahead of the transaction's end: the most
 * recent {@link #MAX_CHUNKS} of them, consecutive. A session at {@link #after()} sends them as parts of the
 * transaction's batch while capture writes the rest; one that falls further behind waits for the transaction to be
 * whole and reads the rest from the log. Immutable.
 *
 * @param after the capture position before the transaction: every earlier transaction is at or before it
 * @param lsn the transaction's commit LSN
 * @param chunks consecutive chunks, oldest first
 */
record EarlyTransaction(Lsn after, Lsn lsn, List<LoggedChunk> chunks) {

    /** How many chunks are kept: a session more than this many behind reads the transaction from the log. */
    static final int MAX_CHUNKS = 4;

    EarlyTransaction {
        chunks = List.copyOf(chunks);
    }

    /** The transaction's first chunk, or {@code null} when it does not start at {@code seq} 0. */
    static EarlyTransaction first(LoggedChunk chunk) {
        return chunk.firstSeq() == 0 ? new EarlyTransaction(chunk.after(), chunk.lsn(), List.of(chunk)) : null;
    }

    /**
     * This transaction with {@code chunk} added, the oldest dropped beyond {@link #MAX_CHUNKS}; {@code null} when the
     * chunk does not continue it (another transaction, or a gap).
     */
    EarlyTransaction with(LoggedChunk chunk) {
        LoggedChunk last = chunks.get(chunks.size() - 1);
        if (!chunk.lsn().equals(lsn) || chunk.firstSeq() != last.nextSeq()) {
            return null;
        }
        List<LoggedChunk> kept = new ArrayList<>(chunks.subList(Math.max(0, chunks.size() + 1 - MAX_CHUNKS),
                chunks.size()));
        kept.add(chunk);
        return new EarlyTransaction(after, lsn, kept);
    }

    /** The chunk that starts at {@code seq}, or {@code null} (not written yet, or dropped). */
    LoggedChunk chunkAt(int seq) {
        for (LoggedChunk chunk : chunks) {
            if (chunk.firstSeq() == seq) {
                return chunk;
            }
        }
        return null;
    }
}
