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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * A correct SQLite store, built from the shipped store's parts (it lives in their package for that),
 * with every step of the contract a method of its own, so that each flawed store in {@link FlawedStores}
 * is this store with one step done wrong. It passes the whole kit ({@code BaselineStoreConformanceTest}),
 * so whatever the kit finds in a flawed store is that flaw.
 */
class BaselineStore implements SyncStore {

    static final int MAX_KEY_LENGTH = 200;

    protected final Path path;
    protected final Connection writer;
    protected final Statement control;
    protected final ChangeWriter changes;
    protected final Readers readers;
    protected final SqliteReads reads;
    protected final ReentrantLock writing = new ReentrantLock();
    private volatile boolean closed;

    BaselineStore(SqliteStoreConfig config) {
        this.path = config.path().toAbsolutePath();
        SqliteConnections connections = new SqliteConnections(config);
        Connection opened = null;
        try {
            opened = connections.openWriter();
            migrate(opened);
            this.writer = opened;
            this.control = opened.createStatement();
            this.changes = new ChangeWriter(opened);
        } catch (SQLException e) {
            closeQuietly(opened);
            throw SqlFailures.of("opening", path, e);
        } catch (RuntimeException e) {
            closeQuietly(opened);
            throw e;
        }
        this.readers = new Readers(connections, path);
        this.reads = new SqliteReads(readers);
    }

    /** Brings the file's schema up to date; refuses a newer one. */
    protected void migrate(Connection connection) throws SQLException {
        SqliteSchema.migrate(connection, path);
    }

    // ---- apply, step by step ---------------------------------------------------------------

    @Override
    public ApplyResult apply(BatchHeader header, ChangeSource source) {
        requireNonNull(header, "header is null");
        requireNonNull(source, "source is null");
        return write(() -> {
            Lsn committed = Lsn.of(stateLong("committed_lsn"));
            ApplyOutcome outcome = decide(header, committed);
            if (outcome != ApplyOutcome.APPLIED) {
                return ApplyResult.notApplied(outcome, committed);
            }
            long checksum = writeChanges(header, source, stateLong("committed_checksum"));
            commitPosition(header.lsn(), checksum);
            return ApplyResult.applied(header.lsn());
        });
    }

    /** Duplicate, gap or apply. */
    protected ApplyOutcome decide(BatchHeader header, Lsn committed) {
        return header.outcomeAt(committed);
    }

    /** Pulls and writes every change; returns the new running checksum. */
    protected long writeChanges(BatchHeader header, ChangeSource source, long checksum) throws SQLException {
        for (Change change = source.next(); change != null; change = source.next()) {
            writeChange(header, change);
            checksum += checksumOf(change);
        }
        changes.flush();
        return checksum;
    }

    protected void writeChange(BatchHeader header, Change change) throws SQLException {
        changes.write(header, change);
    }

    protected long checksumOf(Change change) {
        return Checksum.of(change);
    }

    /** Sets the position and checksum and clears the marker, in the running transaction. */
    protected void commitPosition(Lsn lsn, long checksum) throws SQLException {
        try (PreparedStatement update = writer.prepareStatement(
                "UPDATE tidemark_state SET committed_lsn = ?, committed_checksum = ?, pending_lsn = NULL WHERE id = 1")) {
            update.setLong(1, lsn.value());
            update.setLong(2, checksum);
            update.executeUpdate();
        }
    }

    protected long stateLong(String column) throws SQLException {
        try (ResultSet rs = control.executeQuery("SELECT " + column + " FROM tidemark_state WHERE id = 1")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---- transactions ----------------------------------------------------------------------

    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    protected void begin() throws SQLException {
        control.execute("BEGIN IMMEDIATE");
    }

    protected void commit() throws SQLException {
        control.execute("COMMIT");
    }

    /** Commits what the running transaction wrote and starts the next one: how the flawed stores split a batch. */
    protected final void commitAndBeginAgain() throws SQLException {
        changes.flush();
        commit();
        begin();
    }

    protected <T> T write(Work<T> work) {
        writing.lock();
        try {
            checkOpen();
            boolean committed = false;
            try {
                begin();
                T result = work.run();
                commit();
                committed = true;
                return result;
            } catch (SQLException e) {
                throw SqlFailures.of("writing", path, e);
            } finally {
                if (!committed) {
                    changes.discard();
                    try {
                        control.execute("ROLLBACK");
                    } catch (SQLException e) {
                        // no transaction was active
                    }
                }
            }
        } finally {
            writing.unlock();
        }
    }

    // ---- the other writes ------------------------------------------------------------------

    @Override
    public void recordPending(Lsn lsn) {
        requireNonNull(lsn, "lsn is null");
        write(() -> updateState("UPDATE tidemark_state SET pending_lsn = " + lsn.value() + " WHERE id = 1"));
    }

    @Override
    public void clearPending() {
        write(() -> updateState("UPDATE tidemark_state SET pending_lsn = NULL WHERE id = 1"));
    }

    private Void updateState(String sql) throws SQLException {
        control.executeUpdate(sql);
        return null;
    }

    @Override
    public void resetHistory(String historyId) {
        requireNonNull(historyId, "historyId is null");
        if (historyId.isEmpty()) {
            throw new IllegalArgumentException("historyId is empty");
        }
        write(() -> {
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
        write(() -> {
            try (PreparedStatement put = writer.prepareStatement("INSERT INTO tidemark_metadata (key, value) VALUES (?, ?)"
                    + " ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
                put.setString(1, key);
                put.setString(2, value);
                put.executeUpdate();
            }
            return null;
        });
    }

    // ---- reads -----------------------------------------------------------------------------

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
        checkOpen();
        return reads.get(entityType, entityId);
    }

    @Override
    public long count(String entityType) {
        checkOpen();
        return reads.count(entityType);
    }

    @Override
    public void forEach(String entityType, BiConsumer<String, String> action) {
        checkOpen();
        reads.forEach(entityType, action);
    }

    @Override
    public Optional<String> metadata(String key) {
        checkOpen();
        return reads.metadata(key);
    }

    // ---- lifecycle -------------------------------------------------------------------------

    protected final void checkOpen() {
        if (closed) {
            throw new SyncStoreException(StoreErrorCode.CLOSED, "the store " + path + " is closed");
        }
    }

    @Override
    public void close() {
        writing.lock();
        try {
            if (closed) {
                return;
            }
            beforeClose();
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

    /** Runs under the write lock before the store closes. */
    protected void beforeClose() {
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
}
