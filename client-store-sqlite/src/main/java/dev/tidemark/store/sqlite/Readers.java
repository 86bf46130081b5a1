package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Reading connections, lent one per read so that reads on many threads run side by side and never
 * wait for the writer (WAL mode). A connection is created when none is idle and kept for reuse.
 */
final class Readers implements AutoCloseable {

    /** Work done with a lent connection. */
    @FunctionalInterface
    interface Read<T> {
        T run(Connection connection) throws SQLException;
    }

    private final SqliteConnections connections;
    private final Object path;
    private final Deque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final List<Connection> all = new ArrayList<>();
    private boolean closed;

    Readers(SqliteConnections connections, Object path) {
        this.connections = connections;
        this.path = path;
    }

    <T> T read(String doing, Read<T> read) {
        Connection connection = borrow();
        try {
            return read.run(connection);
        } catch (SQLException e) {
            throw SqlFailures.of(doing, path, e);
        } finally {
            giveBack(connection);
        }
    }

    private Connection borrow() {
        Connection connection = idle.pollFirst();
        if (connection != null) {
            return connection;
        }
        synchronized (all) {
            checkOpen();
            try {
                connection = connections.openReader();
            } catch (SQLException e) {
                throw SqlFailures.of("opening a reading connection", path, e);
            }
            all.add(connection);
            return connection;
        }
    }

    private void giveBack(Connection connection) {
        synchronized (all) {
            if (!closed) {
                idle.addFirst(connection);
                return;
            }
        }
        closeQuietly(connection);
    }

    private void checkOpen() {
        if (closed) {
            throw new SyncStoreException(StoreErrorCode.CLOSED, "the SQLite store " + path + " is closed");
        }
    }

    @Override
    public void close() {
        synchronized (all) {
            closed = true;
            idle.clear();
            for (Connection connection : all) {
                closeQuietly(connection);
            }
            all.clear();
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // closing: nothing left to do with it
        }
    }
}
