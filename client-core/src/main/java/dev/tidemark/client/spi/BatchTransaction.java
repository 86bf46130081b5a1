package dev.tidemark.client.spi;

import dev.tidemark.protocol.EntityData;

/**
 * One batch's write transaction on a {@link StoreBackend}: the storage primitives the core calls, in
 * the batch's order, between {@link StoreBackend#beginBatch} and {@link #commit}. Used by one thread.
 *
 * <p>Every primitive sees the changes made before it in the same transaction (a batch may update,
 * move and delete one entity several times). Entity types and ids are exact: compare them as
 * strings, byte for byte (no trimming, no case folding, no pattern matching such as an unescaped
 * {@code LIKE}). Hold only a bounded number of changes in memory: a batch may be larger than the heap.
 */
public interface BatchTransaction extends AutoCloseable {

    /** The committed position, as read inside this transaction by {@link StoreBackend#beginBatch}. */
    StorePosition position();

    /**
     * Upsert that merges: members of {@code data} replace the stored ones (a JSON {@code null} member
     * becomes {@code null} and stays present), members absent from {@code data} keep their stored
     * value, nested objects are replaced whole; an absent entity is stored as {@code data}.
     */
    void upsert(String entityType, String entityId, EntityData data);

    /**
     * A primary-key change: reads the entity under {@code fromId} as this transaction has left it,
     * deletes it, and stores it merged with {@code data} (as {@link #upsert}) under {@code toId},
     * replacing whatever was there. When nothing is stored under {@code fromId} (or
     * {@code fromId.equals(toId)}), it is an {@link #upsert} of {@code toId}.
     */
    void move(String entityType, String fromId, String toId, EntityData data);

    /** Removes the entity; an absent entity is not an error. */
    void delete(String entityType, String entityId);

    /** Removes every entity of exactly {@code entityType}. */
    void truncate(String entityType);

    /**
     * Commits: the changes, {@code position} (replacing the stored one) and a cleared pending marker,
     * in one atomic, durable step (see {@link StoreBackend}); returns only once it is durable.
     */
    void commit(StorePosition position);

    /**
     * Commits like {@link #commit}, but leaves the pending marker as it is (recorded or absent) instead
     * of clearing it: the changes and {@code position} in one atomic, durable step; returns only once it
     * is durable. Called only when {@link StoreBackend#canKeepPending()} returns {@code true}; a store
     * that implements it overrides both. The default throws {@link UnsupportedOperationException}.
     */
    default void commitKeepingPending(StorePosition position) {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement commitKeepingPending;"
                + " its StoreBackend.canKeepPending() must return false");
    }

    /**
     * Ends the transaction; rolls it back when {@link #commit} was not called or failed. The core calls
     * it exactly once, also after a failure. Never throws for a rollback that fails because the storage
     * already rolled back.
     */
    @Override
    void close();
}
