package dev.tidemark.store.sqlite;

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

    /** Upsert that merges through {@code tidemark_merge}; the core checked the data ({@code EntityData}). */
    private static final String UPSERT = "INSERT INTO tidemark_entity (entity_type, entity_id, data) VALUES (?, ?, ?)"
            + " ON CONFLICT (entity_type, entity_id) DO UPDATE SET data = tidemark_merge(data, excluded.data)";
    private static final String DELETE = "DELETE FROM tidemark_entity WHERE entity_type = ? AND entity_id = ?";
    private static final String TRUNCATE = "DELETE FROM tidemark_entity WHERE entity_type = ?";
    /**
     * First step of a move: the entity under the old id, merged with the data, is stored under the new
     * id (replacing what was there). No row when nothing is stored under the old id.
     */
    private static final String MOVE_COPY = "INSERT INTO tidemark_entity (entity_type, entity_id, data)"
            + " SELECT entity_type, ?, tidemark_merge(data, ?) FROM tidemark_entity WHERE entity_type = ? AND entity_id = ?"
            + " ON CONFLICT (entity_type, entity_id) DO UPDATE SET data = excluded.data";

    private final PreparedStatement upsert;
    private final PreparedStatement delete;
    private final PreparedStatement truncate;
    private final PreparedStatement moveCopy;
    private PreparedStatement current;
    private int queued;

    ChangeWriter(Connection writer) throws SQLException {
        upsert = writer.prepareStatement(UPSERT);
        delete = writer.prepareStatement(DELETE);
        truncate = writer.prepareStatement(TRUNCATE);
        moveCopy = writer.prepareStatement(MOVE_COPY);
    }

    /** Queues an upsert that merges {@code data} into the stored entity. */
    void upsert(String entityType, String entityId, String data) throws SQLException {
        queue(upsert);
        upsert.setString(1, entityType);
        upsert.setString(2, entityId);
        upsert.setString(3, data);
        upsert.addBatch();
        countQueued();
    }

    /** Queues a delete. */
    void delete(String entityType, String entityId) throws SQLException {
        queue(delete);
        delete.setString(1, entityType);
        delete.setString(2, entityId);
        delete.addBatch();
        countQueued();
    }

    /** Runs a truncate after what is queued. */
    void truncate(String entityType) throws SQLException {
        flush();
        truncate.setString(1, entityType);
        truncate.executeUpdate();
    }

    private void countQueued() throws SQLException {
        if (++queued >= CHUNK) {
            flush();
        }
    }

    /**
     * Runs a move at once, after what is queued, so it reads the entity as the batch has left it:
     * copy-and-merge to the new id, then delete the old one; an update of the new id when there was
     * nothing to move.
     */
    void move(String entityType, String fromId, String toId, String data) throws SQLException {
        flush();
        int copied = 0;
        if (!fromId.equals(toId)) {
            moveCopy.setString(1, toId);
            moveCopy.setString(2, data);
            moveCopy.setString(3, entityType);
            moveCopy.setString(4, fromId);
            copied = moveCopy.executeUpdate();
        }
        if (copied > 0) {
            delete.setString(1, entityType);
            delete.setString(2, fromId);
            delete.executeUpdate();
        } else {
            upsert.setString(1, entityType);
            upsert.setString(2, toId);
            upsert.setString(3, data);
            upsert.executeUpdate();
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

    @Override
    public void close() throws SQLException {
        try (upsert; delete; truncate; moveCopy) {
            discard();
        }
    }
}
