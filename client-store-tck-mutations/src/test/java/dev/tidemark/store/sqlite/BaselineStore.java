package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.BatchTransaction;
import dev.tidemark.client.spi.StoreBackend;
import dev.tidemark.client.spi.StorePosition;
import dev.tidemark.protocol.EntityData;
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
 * A correct SQLite backend, built from the shipped store's parts (it lives in their package for that),
 * with every storage step a method of its own, so that each flawed store in {@link FlawedStores} is
 * this backend with one step done wrong. The core's rules (duplicate / gap decision, checksum, JSON
 * check, closed check) are not here: under SPI v2 no store can get them wrong. It passes the whole kit
 * ({@code BaselineStoreConformanceTest}), so whatever the kit finds in a flawed store is that flaw.
 */
class BaselineStore implements StoreBackend {

    protected final Path path;
    protected final Connection writer;
    protected final Statement control;
    protected final ChangeWriter changes;
    protected final Readers readers;
    protected final SqliteReads reads;
    protected final ReentrantLock writing = new ReentrantLock();
    /** True while a batch commits keeping the pending marker (guarded by {@link #writing}). */
    private boolean keepingPending;

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

    // ---- a batch, step by step -------------------------------------------------------------

    @Override
    public BatchTransaction beginBatch(BatchHeader header) {
        writing.lock();
        try {
            begin();
            StorePosition position = readPosition(header);
            began(header, position);
            return new Batch(position);
        } catch (SQLException | RuntimeException e) {
            rollback();
            writing.unlock();
            throw e instanceof SQLException sql ? SqlFailures.of("beginning " + header, path, sql) : (RuntimeException) e;
        }
    }

    /** The position the batch follows, read inside its transaction. */
    protected StorePosition readPosition(BatchHeader header) throws SQLException {
        return new StorePosition(Lsn.of(stateLong("committed_lsn")), stateLong("committed_checksum"));
    }

    /** Runs once the batch's transaction has begun and its position was read. */
    protected void began(BatchHeader header, StorePosition position) throws SQLException {
    }

    protected void writeUpsert(String entityType, String entityId, String data) throws SQLException {
        changes.upsert(entityType, entityId, data);
    }

    protected void writeMove(String entityType, String fromId, String toId, String data) throws SQLException {
        changes.move(entityType, fromId, toId, data);
    }

    protected void writeDelete(String entityType, String entityId) throws SQLException {
        changes.delete(entityType, entityId);
    }

    protected void writeTruncate(String entityType) throws SQLException {
        changes.truncate(entityType);
    }

    /** Runs after each change of a batch. */
    protected void afterChange() throws SQLException {
    }

    /**
     * Sets the position and checksum and clears the marker (keeps it while the batch commits with {@link
     * BatchTransaction#commitKeepingPending}), in the running transaction.
     */
    protected void commitPosition(StorePosition position) throws SQLException {
        changes.flush();
        try (PreparedStatement update = writer.prepareStatement(keepingPending
                ? "UPDATE tidemark_state SET committed_lsn = ?, committed_checksum = ? WHERE id = 1"
                : "UPDATE tidemark_state SET committed_lsn = ?, committed_checksum = ?, pending_lsn = NULL WHERE id = 1")) {
            update.setLong(1, position.lsn().value());
            update.setLong(2, position.checksum());
            update.executeUpdate();
        }
    }

    protected long stateLong(String column) throws SQLException {
        try (ResultSet rs = control.executeQuery("SELECT " + column + " FROM tidemark_state WHERE id = 1")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public boolean canKeepPending() {
        return true;
    }

    /** The batch's transaction: each primitive one step above. */
    private final class Batch implements BatchTransaction {
        private final StorePosition position;
        private boolean open = true;
        private boolean committed;

        Batch(StorePosition position) {
            this.position = position;
        }

        @Override
        public StorePosition position() {
            return position;
        }

        @Override
        public void upsert(String entityType, String entityId, EntityData data) {
            step(() -> writeUpsert(entityType, entityId, data.text()));
        }

        @Override
        public void move(String entityType, String fromId, String toId, EntityData data) {
            step(() -> writeMove(entityType, fromId, toId, data.text()));
        }

        @Override
        public void delete(String entityType, String entityId) {
            step(() -> writeDelete(entityType, entityId));
        }

        @Override
        public void truncate(String entityType) {
            step(() -> writeTruncate(entityType));
        }

        private void step(Step step) {
            run(() -> {
                step.run();
                afterChange();
            });
        }

        @Override
        public void commit(StorePosition next) {
            run(() -> {
                commitPosition(next);
                BaselineStore.this.commit();
                committed = true;
            });
        }

        @Override
        public void commitKeepingPending(StorePosition next) {
            keepingPending = true;
            try {
                commit(next);
            } finally {
                keepingPending = false;
            }
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                try {
                    if (!committed) {
                        rollback();
                    }
                } finally {
                    writing.unlock();
                }
            }
        }
    }

    @FunctionalInterface
    interface Step {
        void run() throws SQLException;
    }

    private void run(Step step) {
        try {
            step.run();
        } catch (SQLException e) {
            throw SqlFailures.of("writing", path, e);
        }
    }

    // ---- transactions ----------------------------------------------------------------------

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

    protected void rollback() {
        changes.discard();
        try {
            control.execute("ROLLBACK");
        } catch (SQLException e) {
            // no transaction was active
        }
    }

    /** One small write in a transaction of its own. */
    protected void write(Step work) {
        writing.lock();
        try {
            boolean committed = false;
            try {
                begin();
                work.run();
                commit();
                committed = true;
            } catch (SQLException e) {
                throw SqlFailures.of("writing", path, e);
            } finally {
                if (!committed) {
                    rollback();
                }
            }
        } finally {
            writing.unlock();
        }
    }

    // ---- the other writes ------------------------------------------------------------------

    @Override
    public void recordPending(Lsn lsn) {
        write(() -> control.executeUpdate("UPDATE tidemark_state SET pending_lsn = " + lsn.value() + " WHERE id = 1"));
    }

    @Override
    public void clearPending() {
        write(() -> control.executeUpdate("UPDATE tidemark_state SET pending_lsn = NULL WHERE id = 1"));
    }

    @Override
    public void resetHistory(String historyId) {
        write(() -> {
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
        write(() -> {
            try (PreparedStatement put = writer.prepareStatement("INSERT INTO tidemark_metadata (key, value) VALUES (?, ?)"
                    + " ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
                put.setString(1, key);
                put.setString(2, value);
                put.executeUpdate();
            }
        });
    }

    // ---- reads -----------------------------------------------------------------------------

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

    // ---- lifecycle -------------------------------------------------------------------------

    @Override
    public void close() {
        writing.lock();
        try {
            beforeClose();
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
