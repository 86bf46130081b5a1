package dev.tidemark.client.status;

/**
 * Hears what a {@link dev.tidemark.client.TidemarkClient} does. Every method has an empty default; override what you
 * need. Calls arrive one at a time, in order, on a thread of the client's own — never the thread
 * that applies batches — so a slow listener delays later calls but not the sync. An exception thrown
 * by a listener is logged and otherwise ignored.
 */
public interface SyncListener {

    /** The client moved from {@code previous} to {@code current}. */
    default void onStateChanged(ClientState previous, ClientState current) {}

    /** The store applied and committed a batch. */
    default void onBatchApplied(AppliedBatch batch) {}

    /**
     * The client met a problem and handled it; see {@link SyncError.Kind}. The error that stops a
     * client ({@link SyncError.Kind#REFUSED}, {@link SyncError.Kind#RESYNC_REQUIRED}) arrives before the
     * state change it causes.
     */
    default void onError(SyncError error) {}
}
