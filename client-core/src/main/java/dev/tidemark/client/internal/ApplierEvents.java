package dev.tidemark.client.internal;

import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Welcome;
import java.time.Instant;

/** What the {@link Applier} tells the engine. Called on the applier thread. */
interface ApplierEvents {

    /** The server welcomed the client and the store's history matches: batches follow. */
    void welcomed(Connection connection, Welcome welcome, Lsn committed, String historyId);

    /** A batch was applied; the store is now at {@code header.lsn()}. */
    void applied(BatchHeader header, int changes, int parts, Instant lastSourceCommit);

    /** A batch was not applied; an error ack was sent (or, in eager mode, see {@link #eagerBatchLost}). */
    void refused(BatchHeader header, ErrorKind kind, String message, Throwable cause);

    /** The store was emptied and marked resyncing; the snapshot at {@code snapshotLsn} is being loaded. */
    void resyncStarted(Connection connection, Lsn snapshotLsn, String historyId);

    /** The resync snapshot at {@code snapshotLsn} is loaded; streaming continues from there. */
    void resyncFinished(Connection connection, Lsn snapshotLsn, String historyId);

    /** The store's position cannot be continued from on this server. */
    void resyncRequired(Connection connection, String reason);

    /** The server speaks something this client cannot work with; retrying will not help. */
    void refusedForGood(Connection connection, String reason);

    /**
     * Eager mode only: a batch taken on receipt was not applied. The engine reconnects from the
     * store's committed LSN instead of the received position.
     */
    void eagerBatchLost(Connection connection);

    /** Eager mode only: the position received over earlier connections, or null. */
    Lsn eagerResumePosition();

    /** The applier has handled everything received before: open the next connection now. */
    void connectNow();

    /** A per-table snapshot batch was applied or given up: no snapshot is being received now. */
    default void snapshotDone() {}

    /** Handling {@code item} failed unexpectedly (usually a store read); the connection is dropped. */
    void failed(Connection connection, String what, RuntimeException cause);
}
