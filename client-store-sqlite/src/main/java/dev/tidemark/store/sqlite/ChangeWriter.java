package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.protocol.Change;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Writes a batch's changes through prepared statements, in JDBC batches of consecutive changes of
 * one kind (order between kinds is kept by flushing when the kind changes). Holds at most
 * {@link #CHUNK} changes in memory, however long the batch. Owned by the writer; not thread-safe.
 */
final class ChangeWriter implements AutoCloseable {

    static final int CHUNK = 1000;

    /** Upsert that merges; {@code json(?)} rejects malformed data, {@code tidemark_merge} merges. */
    private static final String UPSERT = "INSERT INTO tidemark_entity (entity_type, entity_id, data) VALUES (?, ?, json(?))"
            + " ON CONFLICT (entity_type, entity_id) DO UPDATE SET data = tidemark_merge(data, excluded.data)";
    private static final String DELETE = "DELETE FROM tidemark_entity WHERE entity_type = ? AND entity_id = ?";
    private static final String TRUNCATE = "DELETE FROM tidemark_entity WHERE entity_type = ?";

    private final PreparedStatement upsert;
    private final PreparedStatement delete;
    private final PreparedStatement truncate;
    private PreparedStatement current;
    private int queued;

    ChangeWriter(Connection writer) throws SQLException {
        upsert = writer.prepareStatement(UPSERT);
        delete = writer.prepareStatement(DELETE);
        truncate = writer.prepareStatement(TRUNCATE);
    }

    /** Queues {@code change} (or, for a truncate, runs it after what is queued). */
    void write(BatchHeader header, Change change) throws SQLException {
        switch (change.type()) {
            case UPDATE:
                checkObject(header, change);
                queue(upsert);
                upsert.setString(1, change.entityType());
                upsert.setString(2, change.entityId());
                upsert.setString(3, change.data());
                upsert.addBatch();
                break;
            case DELETE:
                queue(delete);
                delete.setString(1, change.entityType());
                delete.setString(2, change.entityId());
                delete.addBatch();
                break;
            case TRUNCATE:
                flush();
                truncate.setString(1, change.entityType());
                truncate.executeUpdate();
                return;
            default:
                throw new IllegalStateException("unknown change type " + change.type());
        }
        if (++queued >= CHUNK) {
            flush();
        }
    }

    private void queue(PreparedStatement statement) throws SQLException {
        if (current != statement) {
            flush();
            current = statement;
        }
    }

    /** Runs what is queued. */
    void flush() throws SQLException {
        if (queued > 0) {
            current.executeBatch();
        }
        queued = 0;
    }

    /** Drops what is queued (after a failure; the transaction is rolled back). */
    void discard() {
        try {
            if (current != null) {
                current.clearBatch();
            }
        } catch (SQLException e) {
            // the statement is unusable anyway; the store rolls back
        }
        queued = 0;
        current = null;
    }

    /**
     * {@code json()} accepts any JSON value; an entity must be an object. Valid JSON starting with
     * '{' is one, so this cheap look at the first character completes SQLite's check.
     */
    private static void checkObject(BatchHeader header, Change change) {
        String data = change.data();
        int i = 0;
        while (i < data.length() && Character.isWhitespace(data.charAt(i))) {
            i++;
        }
        if (i == data.length() || data.charAt(i) != '{') {
            throw new SyncStoreException(StoreErrorCode.INVALID_CHANGE, header + ": the update of " + change.entityType()
                    + " '" + change.entityId() + "' carries data that is not a JSON object; nothing of the batch was applied");
        }
    }

    @Override
    public void close() throws SQLException {
        try (upsert; delete; truncate) {
            discard();
        }
    }
}
