package dev.tidemark.server.capture;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The hand-over between the replication reader and the change-log writer, bounded by weight rather
 * than by pieces: a piece weighs one unit per change or per KiB of data, whichever is more (at least
 * one). Many small transactions can then queue up to form one large change-log write, while memory
 * stays bounded whatever the transaction sizes. One producer, one consumer.
 */
final class PieceQueue {

    private final LinkedBlockingQueue<CapturePiece> pieces = new LinkedBlockingQueue<>();
    private final Semaphore room;
    private final int capacity;

    PieceQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.room = new Semaphore(capacity);
    }

    /** Adds a piece, waiting up to {@code timeout} for room; false when there was none. */
    boolean offer(CapturePiece piece, long timeout, TimeUnit unit) throws InterruptedException {
        if (!room.tryAcquire(weight(piece), timeout, unit)) {
            return false;
        }
        pieces.add(piece);
        return true;
    }

    /** Takes the next piece, waiting up to {@code timeout}; null when none came. */
    CapturePiece poll(long timeout, TimeUnit unit) throws InterruptedException {
        return released(pieces.poll(timeout, unit));
    }

    /** Takes the next piece if there is one. */
    CapturePiece poll() {
        return released(pieces.poll());
    }

    CapturePiece peek() {
        return pieces.peek();
    }

    private CapturePiece released(CapturePiece piece) {
        if (piece != null) {
            room.release(weight(piece));
        }
        return piece;
    }

    private int weight(CapturePiece piece) {
        long units = Math.max(1, Math.max(piece.changes().size(), piece.bytes() / 1024));
        return (int) Math.min(capacity, units);
    }
}
