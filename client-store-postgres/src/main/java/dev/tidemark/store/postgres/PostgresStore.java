package dev.tidemark.store.postgres;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The PostgreSQL {@link SyncStore}. Each write is one transaction on a pooled connection; {@code apply}
 * locks the state row ({@code SELECT ... FOR UPDATE}), decides, streams the changes through
 * {@link PostgresChangeWriter}, and updates the state row before committing. Reads use other pooled
 * connections and see committed data only.
 */
final class PostgresStore implements SyncStore {

    private static final int MAX_KEY_LENGTH = 200;

    private final PostgresStoreConfig config;
    private final StoreSql sql;
    private final HikariDataSource pool;
    private final PostgresReads reads;
    private final ReentrantLock writing = new ReentrantLock();
    private volatile boolean closed;

    private PostgresStore(PostgresStoreConfig config, StoreSql sql, HikariDataSource pool) {
        this.config = config;
        this.sql = sql;
        this.pool = pool;
        this.reads = new PostgresReads(pool, sql, config.schema());
    }

    static PostgresStore open(PostgresStoreConfig config) {
        StoreSql sql = new StoreSql(config.schema());
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(poolConfig(config));
        } catch (RuntimeException e) {
            throw new SyncStoreException(StoreErrorCode.UNAVAILABLE, "cannot connect the PostgreSQL store to "
                    + config.jdbcUrl() + ": " + rootMessage(e) + "; check jdbcUrl, user, password and that the server runs", e);
        }
        try (Connection connection = pool.getConnection()) {
            PostgresSchema.migrate(connection, sql, config.schema());
        } catch (SQLException e) {
            pool.close();
            throw PgFailures.of("creating or upgrading the store's tables", config.schema(), e);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new PostgresStore(config, sql, pool);
    }

    static HikariConfig poolConfig(PostgresStoreConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("tidemark-store-" + config.schema());
        hikari.setJdbcUrl(config.jdbcUrl());
        config.user().ifPresent(hikari::setUsername);
        config.password().ifPresent(hikari::setPassword);
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(10_000);
        hikari.setInitializationFailTimeout(1);
        // batched upserts become multi-row INSERTs; see PostgresChangeWriter
        hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        hikari.setConnectionInitSql(config.durability() == Durability.FULL
                // keep the server's setting unless it is off: every other value flushes locally
                ? "SELECT set_config('synchronous_commit', CASE current_setting('synchronous_commit')"
                        + " WHEN 'off' THEN 'on' ELSE current_setting('synchronous_commit') END, false)"
                : "SET synchronous_commit = off");
        return hikari;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    // ---- writes ---------------------------------------------------------------------------

    @Override
    public ApplyResult apply(BatchHeader header, ChangeSource source) {
        requireNonNull(header, "header is null");
        requireNonNull(source, "source is null");
        boolean[] sourceTouched = {false};
        ChangeSource changes = () -> {
            sourceTouched[0] = true;
            return source.next();
        };
        return write(() -> "applying " + header, () -> !sourceTouched[0], connection -> {
            Lsn committed;
            long checksum;
            try (PreparedStatement lock = connection.prepareStatement(sql.lockState);
                    ResultSet rs = lock.executeQuery()) {
                if (!rs.next()) {
                    throw new SyncStoreException(StoreErrorCode.STORAGE_FAILURE, "the store in schema "
                            + config.schema() + " lost its sync_state row; restore it or use a new schema");
                }
                committed = Lsn.parse(rs.getString(1));
                checksum = rs.getLong(2);
            }
            ApplyOutcome outcome = header.outcomeAt(committed);
            if (outcome != ApplyOutcome.APPLIED) {
                return ApplyResult.notApplied(outcome, committed);
            }
            try (PostgresChangeWriter writer = new PostgresChangeWriter(connection, sql)) {
                for (Change change = changes.next(); change != null; change = changes.next()) {
                    writer.write(change);
                    checksum += Checksum.of(change);
                }
                writer.flush();
            }
            try (PreparedStatement update = connection.prepareStatement(sql.commitBatch)) {
                update.setString(1, header.lsn().toString());
                update.setLong(2, checksum);
                update.executeUpdate();
            }
            return ApplyResult.applied(header.lsn());
        });
    }

    @Override
    public void recordPending(Lsn lsn) {
        requireNonNull(lsn, "lsn is null");
        setPending(() -> "recording pending marker " + lsn, lsn.toString());
    }

    @Override
    public void clearPending() {
        setPending(() -> "clearing the pending marker", null);
    }

    private void setPending(Supplier<String> doing, String lsn) {
        write(doing, () -> true, connection -> {
            try (PreparedStatement update = connection.prepareStatement(sql.setPending)) {
                update.setString(1, lsn);
                update.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void resetHistory(String historyId) {
        requireNonNull(historyId, "historyId is null");
        if (historyId.isEmpty()) {
            throw new IllegalArgumentException("historyId is empty");
        }
        write(() -> "resetting to history " + historyId, () -> true, connection -> {
            try (Statement statement = connection.createStatement();
                    PreparedStatement reset = connection.prepareStatement(sql.reset)) {
                statement.execute(sql.clearEntities);
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
        write(() -> "storing metadata " + key, () -> true, connection -> {
            try (PreparedStatement put = connection.prepareStatement(sql.putMetadata)) {
                put.setString(1, key);
                put.setString(2, value);
                put.executeUpdate();
            }
            return null;
        });
    }

    /** Work inside one transaction. */
    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction on a pooled connection. Any failure rolls it back: SQL errors
     * become {@link SyncStoreException}, other exceptions (a change source's) pass unchanged. A
     * connection found dead (the server dropped the pool's idle connections, as a restart does) makes
     * the pool drop them all, and the work runs once more on a fresh one when {@code safeToRetry} says
     * it can.
     */
    private <T> T write(Supplier<String> doing, BooleanSupplier safeToRetry, Work<T> work) {
        writing.lock();
        try {
            checkOpen();
            for (int attempt = 1; ; attempt++) {
                try {
                    return inTransaction(work);
                } catch (SQLException e) {
                    if (attempt == 1 && PgFailures.isConnectionLost(e) && safeToRetry.getAsBoolean()) {
                        pool.getHikariPoolMXBean().softEvictConnections(); // its siblings died with it
                        continue;
                    }
                    throw PgFailures.of(doing.get(), config.schema(), e);
                }
            }
        } finally {
            writing.unlock();
        }
    }

    private <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            boolean committed = false;
            try {
                T result = work.run(connection);
                connection.commit();
                committed = true;
                return result;
            } finally {
                if (!committed) {
                    rollbackQuietly(connection); // the pool also resets auto-commit when it takes the connection back
                }
            }
        }
    }

    static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // a broken connection: PostgreSQL rolls back by itself, the pool evicts the connection
        }
    }

    // ---- reads ----------------------------------------------------------------------------

    @Override
    public Lsn committedLsn() {
        checkOpen();
        return reads.state("reading the committed LSN", rs -> Lsn.parse(rs.getString(2)));
    }

    @Override
    public long committedChecksum() {
        checkOpen();
        return reads.state("reading the committed checksum", rs -> rs.getLong(3));
    }

    @Override
    public Optional<String> historyId() {
        checkOpen();
        return reads.state("reading the history id", rs -> Optional.ofNullable(rs.getString(1)));
    }

    @Override
    public Optional<Lsn> pendingLsn() {
        checkOpen();
        return reads.state("reading the pending marker", rs -> Optional.ofNullable(rs.getString(4)).map(Lsn::parse));
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
            throw new SyncStoreException(StoreErrorCode.CLOSED,
                    "the PostgreSQL store in schema " + config.schema() + " is closed; open it again");
        }
    }

    @Override
    public void close() {
        writing.lock();
        try {
            if (!closed) {
                closed = true;
                pool.close();
            }
        } finally {
            writing.unlock();
        }
    }

    @Override
    public String toString() {
        return "PostgresStore[" + config + "]";
    }
}
