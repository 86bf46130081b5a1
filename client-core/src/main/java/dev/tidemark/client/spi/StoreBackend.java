package dev.tidemark.client.spi;

import dev.tidemark.protocol.Lsn;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The storage primitives of a store plugin (SPI v2): what a {@link SyncStoreProvider} opens. The
 * client core wraps it into the {@link SyncStore} the client and the application use, and owns the
 * rules every store would otherwise repeat: the duplicate / gap / overlap decision
 * ({@link BatchHeader#outcomeAt}), the running checksum over the changes, checking that each
 * change's data is one JSON object ({@link dev.tidemark.protocol.EntityData}), the argument checks
 * and the closed check. The core serialises the writes (one batch transaction or other write at a
 * time, so a backend needs no write lock of its own) and never calls a backend after
 * {@link #close()}.
 *
 * <h2>The one rule, and what is the backend's</h2>
 * The core applies a batch through one {@link BatchTransaction} from {@link #beginBatch}: it reads the
 * position there, calls the change primitives in order, and ends with
 * {@link BatchTransaction#commit(StorePosition)}. <b>That commit makes the batch's changes, the new
 * position (LSN and checksum) and the cleared pending marker durable in one atomic step — all of it
 * or none of it — before it returns.</b> Nothing of the batch may be visible to readers or survive a
 * crash before that commit, and nothing of it may be lost after it returns. This cannot be moved into
 * the core: only the storage knows its transactions.
 *
 * <p>"Durable" means two things, and the store's documentation must say which it gives:
 * <ul>
 *   <li><b>Process crash</b> ({@code kill -9}, an exception that ends the JVM): a returned commit
 *       survives, an unreturned one leaves no trace. The conformance kit tests this, with a child JVM
 *       it kills at random moments.</li>
 *   <li><b>Power loss or operating-system crash</b>: the commit was also forced to the disk
 *       ({@code fsync} of the log) before it returned. No test inside one machine's running system can
 *       observe this (the operating system writes its cache out after a process dies), so the kit
 *       cannot prove it; a store that never syncs passes the kit.</li>
 * </ul>
 *
 * <h2>Reads</h2>
 * Reads may run on any thread, also while a batch transaction is open, and must see only committed
 * state: before the batch or after it, never a part of it, and the position together with the data
 * it belongs to. {@link #forEach} is one consistent view (no paging across separate reads).
 *
 * <h2>Errors</h2>
 * A storage failure is a {@link SyncStoreException} ({@link StoreErrorCode#STORAGE_FAILURE}, or
 * {@link StoreErrorCode#INVALID_CHANGE} when the storage refuses a value, such as an id longer than
 * it can keep) and leaves the storage as it was. A {@link dev.tidemark.protocol.ProtocolException}
 * (from {@link dev.tidemark.protocol.JsonMerge}, for example) may pass through: the core reports it
 * as {@link StoreErrorCode#INVALID_CHANGE}.
 *
 * <p>Prove a backend with the conformance kit ({@code tidemark-client-store-tck}).
 */
public interface StoreBackend extends AutoCloseable {

    /**
     * Starts the transaction that applies {@code header}'s batch: takes the storage's write lock and
     * reads the position inside it, so that {@link BatchTransaction#position()} is the position the
     * batch's commit will follow. May retry on a fresh connection when the storage dropped one: nothing
     * of the batch has been written yet.
     *
     * @param header the batch, for messages (the core has decided nothing yet)
     */
    BatchTransaction beginBatch(BatchHeader header);

    /**
     * Durably records the pending marker {@code lsn} (replacing any earlier one), in one small write.
     * A store that {@linkplain #canKeepPending() keeps the marker on commit} sees it once per run of the
     * client; any other store before every batch.
     */
    void recordPending(Lsn lsn);

    /**
     * Whether this store's batch transactions implement {@link BatchTransaction#commitKeepingPending}:
     * commit a batch and leave the pending marker as it is, in the batch's own atomic commit. Then the
     * client records the marker once and keeps it while it applies batches, instead of one more durable
     * write before every batch. The default is {@code false}: the client records the marker before each
     * batch, which is correct for every store, only slower.
     */
    default boolean canKeepPending() {
        return false;
    }

    /** Durably removes the pending marker, if any. */
    void clearPending();

    /**
     * In one atomic, durable step: removes every entity, sets the position to
     * {@link StorePosition#START}, clears the pending marker and records {@code historyId}. Metadata is
     * kept. The core has checked that {@code historyId} is not empty.
     */
    void resetHistory(String historyId);

    /** Durably stores a metadata value, replacing any earlier one. The core has checked the key (1 to 200 characters) and value (not null). */
    void putMetadata(String key, String value);

    /** The committed position: LSN and checksum from one read. */
    StorePosition position();

    /** The history id set by the last {@link #resetHistory}, or empty. */
    Optional<String> historyId();

    /** The pending marker, or empty. */
    Optional<Lsn> pendingLsn();

    /** The entity's JSON object text (semantically equal to what was applied), or empty. Ids and types match exactly. */
    Optional<String> get(String entityType, String entityId);

    /** How many entities of {@code entityType} the storage holds. */
    long count(String entityType);

    /**
     * Calls {@code action} with the id and JSON object text of every entity of {@code entityType},
     * from one consistent view, on the calling thread.
     */
    void forEach(String entityType, BiConsumer<String, String> action);

    /** A metadata value, or empty. */
    Optional<String> metadata(String key);

    /**
     * Releases the storage. Called once, by the core, after any running write has ended (the core
     * makes {@code close} wait for it).
     */
    @Override
    void close();
}
