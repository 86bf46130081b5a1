package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.CaptureListener;
import dev.tidemark.server.feed.CapturedRange;
import dev.tidemark.server.feed.LoggedChunk;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live tail: listens to the capture's {@link dev.tidemark.server.feed.ChangeFeed}, keeps the most recent
 * complete ranges in memory (bounded by bytes) and tells the sessions that the log moved on.
 *
 * <p>A session takes a range from here only when it starts exactly at the session's read position;
 * otherwise, or when the range was incomplete (a large transaction written in chunks) or evicted, the
 * session reads the change log, which holds everything up to the tip. That rule is what makes the
 * hand-over from catch-up to live free of gaps and overlaps.
 *
 * <p>{@link #onCaptured} runs on the capture thread and never blocks: it stores the range, moves the tip
 * and posts one task per event loop.
 */
final class LiveTail implements CaptureListener {

    private final long maxBytes;
    private final Runnable onAdvance;
    private final Map<Lsn, LiveRange> byFrom = new ConcurrentHashMap<>();
    private final ArrayDeque<LiveRange> order = new ArrayDeque<>();
    private long bytes;
    private volatile Lsn tip = Lsn.ZERO;
    private volatile EarlyTransaction early;

    /**
     * @param maxBytes most estimated bytes kept
     * @param onAdvance told (on the capture thread, must not block) when the tip moved
     */
    LiveTail(long maxBytes, Runnable onAdvance) {
        this.maxBytes = maxBytes;
        this.onAdvance = onAdvance;
    }

    @Override
    public void onCaptured(CapturedRange range) {
        if (range.complete() && range.from().isBefore(range.to())) {
            add(new LiveRange(range.from(), range.to(), range.changes()));
        }
        advanceTip(range.to());
    }

    /**
     * Keeps the chunk of the transaction capture is writing (it starts or continues {@link #early()}) when it comes
     * right after the tip, within a budget of its own as large as the ranges', and tells the sessions.
     */
    @Override
    public void onChunk(LoggedChunk chunk) {
        long size = EarlyTransaction.estimatedBytes(chunk);
        synchronized (this) {
            EarlyTransaction current = early;
            EarlyTransaction next = current != null && current.lsn().equals(chunk.lsn()) && chunk.firstSeq() > 0
                    ? current.with(chunk, size, maxBytes) : EarlyTransaction.first(chunk, size, maxBytes);
            early = next != null && next.after().equals(tip) ? next : null;
            if (early == null) {
                return;
            }
        }
        onAdvance.run();
    }

    /** The large transaction capture is writing after the tip, as far as it was logged ahead; or {@code null}. */
    EarlyTransaction early() {
        return early;
    }

    /** Moves the tip forward (never back) and tells the sessions when it moved. */
    void advanceTip(Lsn position) {
        boolean moved;
        synchronized (this) {
            moved = position.isAfter(tip);
            if (moved) {
                tip = position;
            }
            if (early != null && !early.lsn().isAfter(tip)) {
                early = null; // whole in the log now (told by capture, or by a log read on a standby)
            }
        }
        if (moved) {
            onAdvance.run();
        }
    }

    /** The capture position as far as the hub knows: every transaction at or before it is in the log. */
    Lsn tip() {
        return tip;
    }

    /** The range starting exactly at {@code position}, or {@code null}. */
    LiveRange startingAt(Lsn position) {
        return byFrom.get(position);
    }

    /** Estimated bytes held. */
    synchronized long bytes() {
        return bytes;
    }

    /** Forgets every range and sets the tip to {@code position}: a new history started. */
    synchronized void reset(Lsn position) {
        early = null;
        order.forEach(LiveRange::evict);
        order.clear();
        byFrom.clear();
        bytes = 0;
        tip = position;
    }

    private synchronized void add(LiveRange range) {
        if (range.estimatedBytes() > maxBytes) {
            return;
        }
        order.addLast(range);
        byFrom.put(range.from(), range);
        bytes += range.estimatedBytes();
        while (bytes > maxBytes) {
            LiveRange oldest = order.removeFirst();
            byFrom.remove(oldest.from(), oldest);
            bytes -= oldest.estimatedBytes();
            oldest.evict();
        }
    }

    /** Releases every encoding. */
    void close() {
        reset(tip);
    }
}
