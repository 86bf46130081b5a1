package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.BatchTransaction;
import dev.tidemark.client.spi.StoreBackend;
import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.StorePosition;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.protocol.EntityData;
import dev.tidemark.protocol.Lsn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The SQLite {@link StoreBackend}. One writing connection, used by one thread at a time (the core
 * serialises writes), applies each
 * batch inside {@code BEGIN IMMEDIATE ... COMMIT}: the changes, then the committed LSN, checksum and
 * cleared pending marker in the one-row {@code tidemark_state}. Reads go through separate connections
 * ({@link Readers}) and, in WAL mode, see only committed transactions.
 */
final class SqliteStore implements StoreBackend {

    private final Path path;
    private final Connection writer;
    private final Statement control;
    private final PreparedStatement readState;
    private final PreparedStatement commitBatch;
    private final PreparedStatement commitBatchKeepingPending;
    private final PreparedStatement setPending;
    private final PreparedStatement putMetadata;
    private final ChangeWriter changes;
    private final Readers readers;
    private final SqliteReads reads;

    private SqliteStore(Path path, Connection writer, Readers readers) throws SQLException {
        this.path = path;
        this.writer = writer;
        this.readers = readers;
        this.reads = new SqliteReads(readers);
        this.control = writer.createStatement();
        this.readState = writer.prepareStatement("SELECT committed_lsn, committed_checksum FROM tidemark_state WHERE id = 1");
        this.commitBatch = writer.prepareStatement(
                "UPDATE tidemark_state SET committed_lsn = ?, committed_checksum = ?, pending_lsn = NULL WHERE id = 1");
        this.commitBatchKeepingPending = writer.prepareStatement(
                "UPDATE tidemark_state SET committed_lsn = ?, committed_checksum = ? WHERE id = 1");
        this.setPending = writer.prepareStatement("UPDATE tidemark_state SET pending_lsn = ? WHERE id = 1");
        this.putMetadata = writer.prepareStatement(
                "INSERT INTO tidemark_metadata (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        this.changes = new ChangeWriter(writer);
    }

    static SqliteStore open(SqliteStoreConfig config) {
        Path path = config.path().toAbsolutePath();
        try {
            Files.createDirectories(path.getParent());
        } catch (IOException e) {
            throw new SyncStoreException(StoreErrorCode.UNAVAILABLE,
                    "cannot create the directory of the SQLite store " + path + ": " + e + "; check its permissions", e);
        }
        SqliteConnections connections = new SqliteConnections(config);
        Connection writer = null;
        try {
            writer = connections.openWriter();
            SqliteSchema.migrate(writer, path);
            return new SqliteStore(path, writer, new Readers(connections, path));
        } catch (SQLException e) {
            closeQuietly(writer);
            String message = String.valueOf(e.getMessage());
            throw new SyncStoreException(StoreErrorCode.UNAVAILABLE, "cannot open the SQLite store " + path + ": "
                    + message + (message.contains("NOTADB") ? "; the file is not a SQLite database, point 'path' elsewhere" : ""), e);
        } catch (RuntimeException e) {
            closeQuietly(writer);
            throw e;
        }
    }

    // ---- writes ---------------------------------------------------------------------------

    @Override
    public BatchTransaction beginBatch(BatchHeader header) {
        try {
            control.execute("BEGIN IMMEDIATE");
            try {
                return new Batch(header, readState());
            } catch (SQLException | RuntimeException e) {
                rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw SqlFailures.of("applying " + header, path, e);
        }
    }

    /** One batch inside {@code BEGIN IMMEDIATE ... COMMIT} on the writer. */
    private final class Batch implements BatchTransaction {
        private final BatchHeader header;
        private final StorePosition position;
        private boolean committed;

        Batch(BatchHeader header, StorePosition position) {
            this.header = header;
            this.position = position;
        }

        @Override
        public StorePosition position() {
            return position;
        }

        @Override
        public void upsert(String entityType, String entityId, EntityData data) {
            run(() -> changes.upsert(entityType, entityId, data.text()));
        }

        @Override
        public void move(String entityType, String fromId, String toId, EntityData data) {
            run(() -> changes.move(entityType, fromId, toId, data.text()));
        }

        @Override
        public void delete(String entityType, String entityId) {
            run(() -> changes.delete(entityType, entityId));
        }

        @Override
        public void truncate(String entityType) {
            run(() -> changes.truncate(entityType));
        }

        @Override
        public void commit(StorePosition next) {
            commit(next, commitBatch);
        }

        @Override
        public void commitKeepingPending(StorePosition next) {
            commit(next, commitBatchKeepingPending);
        }

        private void commit(StorePosition next, PreparedStatement update) {
            run(() -> {
                changes.flush();
                update.setLong(1, next.lsn().value());
                update.setLong(2, next.checksum());
                update.executeUpdate();
                control.execute("COMMIT");
                committed = true;
            });
        }

        private void run(Step step) {
            try {
                step.run();
            } catch (SQLException e) {
                throw SqlFailures.of("applying " + header, path, e);
            }
        }

        @Override
        public void close() {
            if (!committed) {
                rollback();
            }
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws SQLException;
    }

    private StorePosition readState() throws SQLException {
        try (ResultSet rs = readState.executeQuery()) {
            if (!rs.next()) {
                throw new SyncStoreException(StoreErrorCode.STORAGE_FAILURE,
                        "the SQLite store " + path + " lost its state row; restore the file or start a new store");
            }
            return new StorePosition(Lsn.of(rs.getLong(1)), rs.getLong(2));
        }
    }

    @Override
    public boolean canKeepPending() {
        return true;
    }

    @Override
    public void recordPending(Lsn lsn) {
        write(() -> "recording pending marker " + lsn, () -> {
            setPending.setLong(1, lsn.value());
            setPending.executeUpdate();
        });
    }

    @Override
    public void clearPending() {
        write(() -> "clearing the pending marker", () -> {
            setPending.setNull(1, java.sql.Types.INTEGER);
            setPending.executeUpdate();
        });
    }

    @Override
    public void resetHistory(String historyId) {
        write(() -> "resetting to history " + historyId, () -> {
            control.executeUpdate("DELETE FROM tidemark_entity");
            try (PreparedStatement reset = writer.prepareStatement("UPDATE tidemark_state SET history_id = ?,"
                    + " committed_lsn = 0, committed_checksum = 0, pending_lsn = NULL WHERE id = 1")) {
                reset.setString(1, historyId);
                reset.executeUpdate();
            }
        });
    }

    @Override
    public void putMetadata(String key, String value) {
        write(() -> "storing metadata " + key, () -> {
            putMetadata.setString(1, key);
            putMetadata.setString(2, value);
            putMetadata.executeUpdate();
        });
    }

    /** Runs {@code work} in one {@code BEGIN IMMEDIATE ... COMMIT}; any failure rolls it back. */
    private void write(Supplier<String> doing, Step work) {
        boolean committed = false;
        try {
            control.execute("BEGIN IMMEDIATE");
            work.run();
            control.execute("COMMIT");
            committed = true;
        } catch (SQLException e) {
            throw SqlFailures.of(doing.get(), path, e);
        } finally {
            if (!committed) {
                rollback();
            }
        }
    }

    private void rollback() {
        changes.discard();
        try {
            control.execute("ROLLBACK");
        } catch (SQLException e) {
            // "no transaction is active": BEGIN failed, or SQLite already rolled back after an I/O error
        }
    }

    // ---- reads ----------------------------------------------------------------------------

    @Override
    public StorePosition position() {
        return reads.position();
    }

    @Override
    public Optional<Lsn> pendingLsn() {
        return reads.stateValue("pending_lsn").map(Lsn::of);
    }

    @Override
    public Optional<String> historyId() {
        return reads.historyId();
    }

    @Override
    public Optional<String> get(String entityType, String entityId) {
        return reads.get(entityType, entityId);
    }

    @Override
    public long count(String entityType) {
        return reads.count(entityType);
    }

    @Override
    public void forEach(String entityType, BiConsumer<String, String> action) {
        reads.forEach(entityType, action);
    }

    @Override
    public Optional<String> metadata(String key) {
        return reads.metadata(key);
    }

    // ---- lifecycle ------------------------------------------------------------------------

    @Override
    public void close() {
        readers.close();
        try {
            changes.close();
        } catch (SQLException e) {
            // closing anyway
        }
        closeQuietly(writer);
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
    }

    @Override
    public String toString() {
        return "SqliteStore[" + path + "]";
    }
}
