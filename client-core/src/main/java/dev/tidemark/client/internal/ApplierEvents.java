package dev.tidemark.client.internal;

import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.status.SyncError;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Welcome;
import java.time.Instant;

/**
 * What the {@link Applier} tells the engine. Called on the applier thread; the engine hands whatever changes
 * the client's state to the event loop as a {@link ClientEvent}.
 */
interface ApplierEvents {

    /** The server welcomed the client and the store's history matches: batches follow. */
    void welcomed(Connection connection, Welcome welcome, Lsn committed, String historyId);

    /** A batch was applied; the store is now at {@code header.lsn()}. */
    void applied(BatchHeader header, int changes, int parts, Instant lastSourceCommit);

    /** A batch was not applied; the {@link AckPolicy} told the server. */
    void refused(BatchHeader header, SyncError.Kind kind, String message, Throwable cause);

    /** The store was emptied and marked resyncing; the snapshot at {@code snapshotLsn} is being loaded. */
    void resyncStarted(Connection connection, Lsn snapshotLsn, String historyId);

    /** The resync snapshot at {@code snapshotLsn} is loaded; streaming continues from there. */
    void resyncFinished(Connection connection, Lsn snapshotLsn, String historyId);

    /** The store's position cannot be continued from on this server. */
    void resyncRequired(Connection connection, String reason);

    /** The server speaks something this client cannot work with; retrying will not help. */
    void refusedForGood(Connection connection, String reason);

    /** The applier has handled everything received before: open the next connection now. */
    void connectNow();

    /** A per-table snapshot batch was applied or given up: no snapshot is being received now. */
    default void snapshotDone() {}

    /** Handling {@code item} failed unexpectedly (usually a store read); the connection is dropped. */
    void failed(Connection connection, String what, RuntimeException cause);
}
