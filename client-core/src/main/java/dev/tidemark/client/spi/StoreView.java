package dev.tidemark.client.spi;

import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The read side of a {@link SyncStore}: its position, its entities and its metadata. A running client hands
 * applications this view of its store ({@code TidemarkClient.store()}): reads see whole batches only, and
 * nothing here writes.
 */
public interface StoreView {

    // ---- position -------------------------------------------------------------------------

    /** The LSN of the last applied batch; {@link Lsn#ZERO} for a new store or after {@link SyncStore#resetHistory}. */
    Lsn committedLsn();

    /**
     * The sum ({@link Checksum#of(Iterable)}, modulo 2<sup>64</sup>) of the checksums of every
     * change applied since the history began, committed with {@link #committedLsn()}. Recovery
     * compares it with the server's checksum up to the same LSN to prove nothing was skipped or
     * applied twice. {@code 0} for a new store or after {@link SyncStore#resetHistory}.
     */
    long committedChecksum();

    /**
     * The history the committed LSN belongs to (the server's {@code historyId}), or empty for a store
     * that never had one. Set by {@link SyncStore#resetHistory(String)}.
     */
    Optional<String> historyId();

    /**
     * The pending marker: the LSN of a batch the client announced with {@link SyncStore#recordPending(Lsn)}
     * and that has not been applied since, or empty. A marker after the committed LSN at startup means
     * an apply was interrupted.
     */
    Optional<Lsn> pendingLsn();

    // ---- reads ----------------------------------------------------------------------------

    /** The entity's JSON object text (semantically equal to what was applied), or empty. */
    Optional<String> get(String entityType, String entityId);

    /** How many entities of {@code entityType} the store holds. */
    long count(String entityType);

    /**
     * Calls {@code action} with the id and JSON object text of every entity of {@code entityType},
     * in an order the store chooses, from one consistent view (a batch applied meanwhile is seen
     * entirely or not at all). The action runs on the calling thread while the store holds a read
     * view open: keep it short and do not write to the store from it.
     */
    void forEach(String entityType, BiConsumer<String, String> action);

    // ---- metadata -------------------------------------------------------------------------

    /**
     * A value the client keeps beside the data, such as its generated client id, or empty. Metadata
     * survives {@link SyncStore#resetHistory(String)}.
     */
    Optional<String> metadata(String key);
}
