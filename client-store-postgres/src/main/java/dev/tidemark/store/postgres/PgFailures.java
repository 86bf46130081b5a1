package dev.tidemark.store.postgres;

import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import java.sql.SQLException;

/** Turns PostgreSQL's errors into {@link SyncStoreException}s, by SQLSTATE. */
final class PgFailures {

    private PgFailures() {}

    static SyncStoreException of(String doing, String schema, SQLException e) {
        SQLException cause = rootOf(e);
        String state = String.valueOf(cause.getSQLState());
        String message = cause.getMessage();
        if (state.startsWith("22") || state.equals("23514") || state.equals("54000")) {
            // data exceptions (invalid JSON, NUL in text), the entity_data_is_object check, index row too large
            return new SyncStoreException(StoreErrorCode.INVALID_CHANGE,
                    doing + ": a change cannot be stored (" + message + "); nothing of it was written", e);
        }
        if (state.startsWith("08") || state.startsWith("57P")) {
            return new SyncStoreException(StoreErrorCode.STORAGE_FAILURE,
                    doing + ": lost the connection to PostgreSQL (" + message + "); nothing was written, retry later", e);
        }
        if (state.equals("42501") || state.equals("3F000") || state.equals("42P01")) {
            return new SyncStoreException(StoreErrorCode.UNAVAILABLE, doing + ": " + message
                    + "; the role needs to own schema " + schema + " (or CREATE on the database to create it)", e);
        }
        if (state.equals("53100")) {
            return new SyncStoreException(StoreErrorCode.STORAGE_FAILURE,
                    doing + ": PostgreSQL's disk is full (" + message + "); nothing was written", e);
        }
        return new SyncStoreException(StoreErrorCode.STORAGE_FAILURE,
                doing + " failed in schema " + schema + " [SQLSTATE " + state + "]: " + message, e);
    }

    /** True when the connection is gone (the server restarted or dropped it): another connection may work. */
    static boolean isConnectionLost(SQLException e) {
        String state = String.valueOf(rootOf(e).getSQLState());
        return state.startsWith("08") || state.startsWith("57P");
    }

    /** JDBC batches report the statement's own error as the next exception. */
    private static SQLException rootOf(SQLException e) {
        SQLException next = e.getNextException();
        return next != null && next.getSQLState() != null ? next : e;
    }
}
