package dev.tidemark.client.spi;

import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;

/**
 * A client's local copy of the synced data, together with the position it reached: what the client
 * and applications use. {@link SyncStores#open} makes it from a store plugin's {@link StoreBackend};
 * the core's implementation owns the rules below that are the same for every store (the duplicate /
 * gap decision, the running checksum, checking the data, argument and closed checks), and the
 * backend owns the storage and the atomic commit. Plugins implement {@link StoreBackend}, not this.
 *
 * <h2>The one rule</h2>
 * {@link #apply(BatchHeader, ChangeSource)} applies every change of a batch, sets the committed LSN
 * to the batch's {@code lsn}, adds the changes' {@link Checksum} to the committed checksum and
 * clears the pending marker, all in <em>one</em> atomic, durable step — or changes nothing at all.
 * The client acknowledges a batch to the server only after {@code apply} returned
 * {@link ApplyOutcome#APPLIED}, so a store that loses a committed batch, or keeps half of one, loses
 * or doubles data.
 *
 * <h2>Entities</h2>
 * An entity is a JSON object identified by its entity type (the source table) and entity id (its
 * primary key as text). {@code update} is an upsert that <em>merges</em>: members present in the
 * change replace the stored ones (a member whose value is JSON {@code null} becomes {@code null} and
 * stays present), members absent from the change keep their stored value, nested objects are
 * replaced whole (no deep merge). {@code delete} removes the entity (deleting an absent entity is
 * not an error). {@code truncate} removes every entity of its entity type. {@code move} (a
 * primary-key change at the source) moves an entity to a new id: read the entity stored under
 * {@link dev.tidemark.protocol.Change#fromId()} as the batch has left it so far (earlier changes of
 * the same batch included), delete it, and store it merged with the change's data (the same merge as
 * {@code update}) under {@link dev.tidemark.protocol.Change#entityId()}, replacing whatever was stored
 * there; when nothing is stored under {@code fromId}, a {@code move} is an {@code update} of
 * {@code entityId}. The data lacks the columns the source did not resend (large unchanged values), so
 * a store that treated a {@code move} as delete + update would lose them. All of it happens inside
 * the batch's transaction. Changes apply in order, so a batch may update, delete and update the same
 * entity again, or move it several times.
 *
 * <h2>Threads</h2>
 * One thread at a time writes ({@code apply}, {@code recordPending}, {@code clearPending},
 * {@code resetHistory}, {@code putMetadata}); implementations still must not corrupt anything if
 * two writers do call concurrently. Reads ({@code get}, {@code count}, {@code forEach}, the position
 * getters) may run on any thread while a batch applies, and see only whole batches: the state
 * before the batch or after it, never a part of it.
 *
 * <h2>Errors</h2>
 * A failure of the storage surfaces as {@link SyncStoreException} and leaves the store as it was
 * before the call. After {@link #close()}, every method but {@code close} throws
 * {@link SyncStoreException} with {@link StoreErrorCode#CLOSED}.
 *
 * <p>{@link #close()} waits for a running write to end. Prove a store with the conformance kit
 * ({@code tidemark-client-store-tck}).
 */
public interface SyncStore extends StoreView, AutoCloseable {

    // ---- position (read through StoreView) ------------------------------------------------

    /**
     * Durably records that the batch ending at {@code lsn} is about to be applied (the seed's
     * two-phase marker). Replaces any earlier marker. This is on the hot path: keep it to one small
     * write.
     *
     * @throws SyncStoreException when the marker could not be made durable
     */
    void recordPending(Lsn lsn);

    /** Durably removes the pending marker, if any (after recovery verified the store). */
    void clearPending();

    /**
     * Starts the store over in history {@code historyId}: removes every entity, sets the committed
     * LSN to {@link Lsn#ZERO} and the checksum to {@code 0}, clears the pending marker, and records
     * the history id — all in one atomic, durable step. Metadata is kept. The client calls it before
     * a resync, and on first contact with a server.
     *
     * @param historyId the server's history id; not empty
     */
    void resetHistory(String historyId);

    // ---- apply ----------------------------------------------------------------------------

    /**
     * Applies one batch whose changes arrive as a stream, in one store transaction.
     *
     * <ol>
     *   <li>Decide with {@link BatchHeader#outcomeAt(Lsn)} against the committed LSN, read inside the
     *       transaction. For {@link ApplyOutcome#DUPLICATE} or {@link ApplyOutcome#GAP} write nothing,
     *       do not read {@code changes}, and return that outcome.</li>
     *   <li>Otherwise pull every change from {@code changes} until it returns {@code null}, applying
     *       each in order and adding its {@link Checksum#of(dev.tidemark.protocol.Change)} to the
     *       running checksum. Do not hold all changes in memory when the storage can stream them.</li>
     *   <li>Then, in the same transaction, set the committed LSN to {@code header.lsn()}, store the
     *       new checksum, clear the pending marker, and commit durably.</li>
     * </ol>
     *
     * <p>If {@code changes} throws, roll back and rethrow that exception unchanged. If the storage
     * fails, roll back and throw {@link SyncStoreException}. Either way nothing of the batch stays.
     *
     * @return the outcome and the committed LSN after the call
     * @throws SyncStoreException {@link StoreErrorCode#INVALID_CHANGE} when a change cannot be stored
     *     (its data is not a JSON object text, for example), {@link StoreErrorCode#STORAGE_FAILURE}
     *     when the storage failed; nothing was written
     */
    ApplyResult apply(BatchHeader header, ChangeSource changes);

    /**
     * Whether {@link #applyKeepingPending} is available: the store commits a batch and leaves the pending
     * marker as it is, in the batch's own commit. The default is {@code false}.
     */
    default boolean canKeepPending() {
        return false;
    }

    /**
     * Applies one batch as {@link #apply(BatchHeader, ChangeSource)} does, except that its commit leaves
     * the pending marker as it is instead of clearing it. A client that recorded a marker once keeps it
     * while it applies batch after batch — so an apply interrupted at any point is still detectable at
     * startup — without a durable write of its own before each batch. Use it only when
     * {@link #canKeepPending()} is {@code true}; the default throws {@link UnsupportedOperationException}.
     */
    default ApplyResult applyKeepingPending(BatchHeader header, ChangeSource changes) {
        throw new UnsupportedOperationException(this + " cannot keep the pending marker on commit;"
                + " check canKeepPending() first");
    }

    /** Applies a batch held in memory; see {@link #apply(BatchHeader, ChangeSource)}. */
    default ApplyResult apply(ChangeBatch batch) {
        return apply(BatchHeader.of(batch), ChangeSource.of(batch.changes()));
    }

    // ---- metadata -------------------------------------------------------------------------

    /** Durably stores a metadata value, replacing any earlier one. Keys are non-empty text of at most 200 characters. */
    void putMetadata(String key, String value);

    // ---- lifecycle ------------------------------------------------------------------------

    /**
     * Releases the store's resources. Idempotent. Call it when no write is running: a write cut short
     * by {@code close} is rolled back, never left half-applied.
     */
    @Override
    void close();
}
