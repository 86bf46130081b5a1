package dev.tidemark.store.postgres;

import dev.tidemark.protocol.Change;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes one batch's changes on one connection through prepared statements, in JDBC batches of
 * consecutive changes of one kind (flushed when the kind changes, so order is kept). Holds at most
 * {@link #CHUNK} changes in memory, however long the batch.
 *
 * <p>The pool's connections rewrite batched upserts into multi-row {@code INSERT}s
 * ({@code reWriteBatchedInserts}): measured 1.6–1.8× faster than one {@code INSERT ... ON CONFLICT}
 * per row. One multi-row upsert may not touch a row twice, so an update of an entity already queued
 * flushes the queue first.
 */
final class PostgresChangeWriter implements AutoCloseable {

    static final int CHUNK = 1000;

    private final PreparedStatement upsert;
    private final PreparedStatement delete;
    private final PreparedStatement truncate;
    private final PreparedStatement move;
    private final Set<EntityKey> queuedUpserts = new HashSet<>();
    private PreparedStatement current;
    private int queued;

    /** An entity, for telling whether an upsert of it is already queued. */
    private record EntityKey(String entityType, String entityId) {}

    PostgresChangeWriter(Connection connection, StoreSql sql) throws SQLException {
        upsert = connection.prepareStatement(sql.upsert);
        delete = connection.prepareStatement(sql.delete);
        truncate = connection.prepareStatement(sql.truncate);
        move = connection.prepareStatement(sql.move);
    }

    void write(Change change) throws SQLException {
        switch (change.type()) {
            case UPDATE:
                queue(upsert);
                if (!queuedUpserts.add(new EntityKey(change.entityType(), change.entityId()))) {
                    flush();
                    queuedUpserts.add(new EntityKey(change.entityType(), change.entityId()));
                }
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
            case MOVE:
                // At once, after what is queued: it reads the entity as the batch has left it.
                flush();
                move.setString(1, change.entityType());
                move.setString(2, change.fromId());
                move.setString(3, change.entityId());
                move.setString(4, change.entityType());
                move.setString(5, change.entityId());
                move.setString(6, change.data());
                move.executeUpdate();
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

    void flush() throws SQLException {
        if (queued > 0) {
            current.executeBatch();
        }
        queued = 0;
        queuedUpserts.clear();
    }

    @Override
    public void close() throws SQLException {
        try (upsert; delete; truncate; move) {
            queued = 0;
        }
    }
}
