package dev.tidemark.server.feed;

/** Told of every range the capture made durable and visible in the change log. */
@FunctionalInterface
public interface CaptureListener {

    /**
     * Called on the capture thread right after the change-log commit that moved the capture position.
     * Must return quickly and never block: hand the range to another thread.
     */
    void onCaptured(CapturedRange range);

    /**
     * Called on the capture thread right after a change-log commit that wrote a chunk of a transaction still being
     * written, without moving the capture position. Must return quickly and never block. The default ignores it:
     * the transaction comes with {@link #onCaptured} once whole.
     */
    default void onChunk(LoggedChunk chunk) {
    }
}
