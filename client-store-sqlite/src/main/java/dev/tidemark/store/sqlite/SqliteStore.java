package dev.tidemark.store.sqlite;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.ApplyOutcome;
import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Checksum;
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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The SQLite {@link SyncStore}. One writing connection, used by one thread at a time, applies each
 * batch inside {@code BEGIN IMMEDIATE ... COMMIT}: the changes, then the committed LSN, checksum and
 * cleared pending marker in the one-row {@code tidemark_state}. Reads go through separate connections
 * ({@link Readers}) and, in WAL mode, see only committed transactions.
 */
final class SqliteStore implements SyncStore {

    private static final int MAX_KEY_LENGTH = 200;

    private final Path path;
    private final Connection writer;
    private final Statement control;
    private final PreparedStatement readState;
    private final PreparedStatement commitBatch;
    private final PreparedStatement setPending;
    private final PreparedStatement putMetadata;
    private final ChangeWriter changes;
    private final Readers readers;
    private final SqliteReads reads;
    private final ReentrantLock writing = new ReentrantLock();
    private volatile boolean closed;

    private SqliteStore(Path path, Connection writer, Readers readers) throws SQLException {
        this.path = path;
        this.writer = writer;
        this.readers = readers;
        this.reads = new SqliteReads(readers);
        this.control = writer.createStatement();
        this.readState = writer.prepareStatement("SELECT committed_lsn, committed_checksum FROM tidemark_state WHERE id = 1");
        this.commitBatch = writer.prepareStatement(
                "UPDATE tidemark_state SET committed_lsn = ?, committed_checksum = ?, pending_lsn = NULL WHERE id = 1");
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
    public ApplyResult apply(BatchHeader header, ChangeSource source) {
        requireNonNull(header, "header is null");
        requireNonNull(source, "source is null");
        return write(() -> "applying " + header, () -> {
            Committed state = readState();
            ApplyOutcome outcome = header.outcomeAt(state.lsn());
            if (outcome != ApplyOutcome.APPLIED) {
                return ApplyResult.notApplied(outcome, state.lsn());
            }
            long checksum = state.checksum();
            for (Change change = source.next(); change != null; change = source.next()) {
                changes.write(header, change);
                checksum += Checksum.of(change);
            }
            changes.flush();
            commitBatch.setLong(1, header.lsn().value());
            commitBatch.setLong(2, checksum);
            commitBatch.executeUpdate();
            return ApplyResult.applied(header.lsn());
        });
    }

    /** The committed position, as read inside the writer's transaction. */
    private record Committed(Lsn lsn, long checksum) {}

    private Committed readState() throws SQLException {
        try (ResultSet rs = readState.executeQuery()) {
            if (!rs.next()) {
                throw new SyncStoreException(StoreErrorCode.STORAGE_FAILURE,
                        "the SQLite store " + path + " lost its state row; restore the file or start a new store");
            }
            return new Committed(Lsn.of(rs.getLong(1)), rs.getLong(2));
        }
    }

    @Override
    public void recordPending(Lsn lsn) {
        requireNonNull(lsn, "lsn is null");
        write(() -> "recording pending marker " + lsn, () -> {
            setPending.setLong(1, lsn.value());
            setPending.executeUpdate();
            return null;
        });
    }

    @Override
    public void clearPending() {
        write(() -> "clearing the pending marker", () -> {
            setPending.setNull(1, java.sql.Types.INTEGER);
            setPending.executeUpdate();
            return null;
        });
    }

    @Override
    public void resetHistory(String historyId) {
        requireNonNull(historyId, "historyId is null");
        if (historyId.isEmpty()) {
            throw new IllegalArgumentException("historyId is empty");
        }
        write(() -> "resetting to history " + historyId, () -> {
            control.executeUpdate("DELETE FROM tidemark_entity");
            try (PreparedStatement reset = writer.prepareStatement("UPDATE tidemark_state SET history_id = ?,"
                    + " committed_lsn = 0, committed_checksum = 0, pending_lsn = NULL WHERE id = 1")) {
                reset.setString(1, historyId);
                reset.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void putMetadata(String key, String value) {
        requireNonNull(key, "key is null");
        requireNonNull(value, "value is null");
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("a metadata key has 1 to " + MAX_KEY_LENGTH + " characters");
        }
        write(() -> "storing metadata " + key, () -> {
            putMetadata.setString(1, key);
            putMetadata.setString(2, value);
            putMetadata.executeUpdate();
            return null;
        });
    }

    /** Work inside the writer's transaction. */
    @FunctionalInterface
    private interface Work<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} in one {@code BEGIN IMMEDIATE ... COMMIT}. Any failure rolls it back: SQL
     * errors become {@link SyncStoreException}, other exceptions (a change source's) pass unchanged.
     */
    private <T> T write(Supplier<String> doing, Work<T> work) {
        writing.lock();
        try {
            checkOpen();
            boolean committed = false;
            try {
                control.execute("BEGIN IMMEDIATE");
                T result = work.run();
                control.execute("COMMIT");
                committed = true;
                return result;
            } catch (SQLException e) {
                throw SqlFailures.of(doing.get(), path, e);
            } finally {
                if (!committed) {
                    rollback();
                }
            }
        } finally {
            writing.unlock();
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
    public Lsn committedLsn() {
        checkOpen();
        return Lsn.of(reads.stateValue("committed_lsn").orElse(0L));
    }

    @Override
    public long committedChecksum() {
        checkOpen();
        return reads.stateValue("committed_checksum").orElse(0L);
    }

    @Override
    public Optional<Lsn> pendingLsn() {
        checkOpen();
        return reads.stateValue("pending_lsn").map(Lsn::of);
    }

    @Override
    public Optional<String> historyId() {
        checkOpen();
        return reads.historyId();
    }

    @Override
    public Optional<String> get(String entityType, String entityId) {
        requireNonNull(entityType, "entityType is null");
        requireNonNull(entityId, "entityId is null");
        checkOpen();
        return reads.get(entityType, entityId);
    }

    @Override
    public long count(String entityType) {
        requireNonNull(entityType, "entityType is null");
        checkOpen();
        return reads.count(entityType);
    }

    @Override
    public void forEach(String entityType, BiConsumer<String, String> action) {
        requireNonNull(entityType, "entityType is null");
        requireNonNull(action, "action is null");
        checkOpen();
        reads.forEach(entityType, action);
    }

    @Override
    public Optional<String> metadata(String key) {
        requireNonNull(key, "key is null");
        checkOpen();
        return reads.metadata(key);
    }

    // ---- lifecycle ------------------------------------------------------------------------

    private void checkOpen() {
        if (closed) {
            throw new SyncStoreException(StoreErrorCode.CLOSED, "the SQLite store " + path + " is closed; open it again");
        }
    }

    @Override
    public void close() {
        writing.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            readers.close();
            try {
                changes.close();
            } catch (SQLException e) {
                // closing anyway
            }
            closeQuietly(writer);
        } finally {
            writing.unlock();
        }
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
