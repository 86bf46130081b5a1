package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import java.sql.SQLException;

/** Turns SQLite's errors into {@link SyncStoreException}s that say what happened and what to do. */
final class SqlFailures {

    private SqlFailures() {}

    /** A failure while {@code doing} something on the store at {@code path}. */
    static SyncStoreException of(String doing, Object path, SQLException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("malformed JSON") || message.contains("tidemark_merge")) {
            return new SyncStoreException(StoreErrorCode.INVALID_CHANGE,
                    doing + ": a change's data is not a JSON object (" + message + "); nothing of it was written", e);
        }
        if (message.contains("SQLITE_FULL")) {
            return new SyncStoreException(StoreErrorCode.STORAGE_FAILURE,
                    doing + ": the disk holding " + path + " is full; free space, nothing was written", e);
        }
        if (message.contains("SQLITE_BUSY") || message.contains("SQLITE_LOCKED")) {
            return new SyncStoreException(StoreErrorCode.STORAGE_FAILURE, doing + ": " + path
                    + " is locked by another connection for longer than busyTimeoutMs; nothing was written", e);
        }
        return new SyncStoreException(StoreErrorCode.STORAGE_FAILURE, doing + " failed on " + path + ": " + message, e);
    }
}
