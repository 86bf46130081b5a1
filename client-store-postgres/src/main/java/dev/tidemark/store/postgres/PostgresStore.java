package dev.tidemark.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.BatchTransaction;
import dev.tidemark.client.spi.StoreBackend;
import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.StorePosition;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.protocol.EntityData;
import dev.tidemark.protocol.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL {@link StoreBackend}. Each write is one transaction on a pooled connection; a batch
 * locks the state row ({@code SELECT ... FOR UPDATE}), streams the changes through
 * {@link PostgresChangeWriter}, and updates the state row before committing. Reads use other pooled
 * connections and see committed data only.
 */
final class PostgresStore implements StoreBackend {

    private final PostgresStoreConfig config;
    private final StoreSql sql;
    private final HikariDataSource pool;
    private final PostgresReads reads;

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
        try {
            PostgresSchema.migrate(migrationSource(config), sql, config.schema());
        } catch (SQLException e) {
            pool.close();
            throw PgFailures.of("creating or upgrading the store's tables", config.schema(), e);
        } catch (FlywayException e) {
            pool.close();
            if (e.getCause() instanceof SQLException cause) {
                throw PgFailures.of("creating or upgrading the store's tables", config.schema(), cause);
            }
            throw new SyncStoreException(StoreErrorCode.INCOMPATIBLE_SCHEMA, "cannot create or upgrade the"
                    + " PostgreSQL store's tables in schema " + config.schema() + ": " + e.getMessage()
                    + "; use a schema that only Tidemark writes", e);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new PostgresStore(config, sql, pool);
    }

    /** Unpooled connections for the migrations: one holds the lock, Flyway opens its own. */
    private static PGSimpleDataSource migrationSource(PostgresStoreConfig config) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(config.jdbcUrl());
        config.user().ifPresent(source::setUser);
        config.password().ifPresent(source::setPassword);
        return source;
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

    /**
     * Locks the state row ({@code SELECT ... FOR UPDATE}) in a new transaction on a pooled connection.
     * A connection found dead (the server dropped the pool's idle connections, as a restart does) makes
     * the pool drop them all, and the lock is taken once more on a fresh one: nothing was written yet.
     */
    @Override
    public BatchTransaction beginBatch(BatchHeader header) {
        for (int attempt = 1; ; attempt++) {
            Connection connection = null;
            try {
                connection = pool.getConnection();
                connection.setAutoCommit(false);
                return new Batch(header, connection, lockState(connection));
            } catch (SQLException e) {
                closeAfterFailure(connection);
                if (attempt == 1 && PgFailures.isConnectionLost(e)) {
                    pool.getHikariPoolMXBean().softEvictConnections(); // its siblings died with it
                    continue;
                }
                throw PgFailures.of("applying " + header, config.schema(), e);
            } catch (RuntimeException e) {
                closeAfterFailure(connection);
                throw e;
            }
        }
    }

    private StorePosition lockState(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(sql.lockState);
                ResultSet rs = lock.executeQuery()) {
            if (!rs.next()) {
                throw new SyncStoreException(StoreErrorCode.STORAGE_FAILURE, "the store in schema "
                        + config.schema() + " lost its sync_state row; restore it or use a new schema");
            }
            return new StorePosition(Lsn.parse(rs.getString(1)), rs.getLong(2));
        }
    }

    private static void closeAfterFailure(Connection connection) {
        if (connection != null) {
            rollbackQuietly(connection);
            try {
                connection.close();
            } catch (SQLException e) {
                // the pool evicts a broken connection
            }
        }
    }

    /** One batch's transaction on one pooled connection. */
    private final class Batch implements BatchTransaction {
        private final BatchHeader header;
        private final Connection connection;
        private final StorePosition position;
        private PostgresChangeWriter changes;
        private boolean committed;

        Batch(BatchHeader header, Connection connection, StorePosition position) {
            this.header = header;
            this.connection = connection;
            this.position = position;
        }

        @Override
        public StorePosition position() {
            return position;
        }

        @Override
        public void upsert(String entityType, String entityId, EntityData data) {
            run(writer -> writer.upsert(entityType, entityId, data.text()));
        }

        @Override
        public void move(String entityType, String fromId, String toId, EntityData data) {
            run(writer -> writer.move(entityType, fromId, toId, data.text()));
        }

        @Override
        public void delete(String entityType, String entityId) {
            run(writer -> writer.delete(entityType, entityId));
        }

        @Override
        public void truncate(String entityType) {
            run(writer -> writer.truncate(entityType));
        }

        @Override
        public void commit(StorePosition next) {
            commit(next, sql.commitBatch);
        }

        @Override
        public void commitKeepingPending(StorePosition next) {
            commit(next, sql.commitBatchKeepingPending);
        }

        private void commit(StorePosition next, String statement) {
            run(writer -> {
                writer.flush();
                try (PreparedStatement update = connection.prepareStatement(statement)) {
                    update.setString(1, next.lsn().toString());
                    update.setLong(2, next.checksum());
                    update.executeUpdate();
                }
                connection.commit();
                committed = true;
            });
        }

        private void run(Step step) {
            try {
                if (changes == null) {
                    changes = new PostgresChangeWriter(connection, sql);
                }
                step.run(changes);
            } catch (SQLException e) {
                throw PgFailures.of("applying " + header, config.schema(), e);
            }
        }

        @Override
        public void close() {
            try {
                if (changes != null) {
                    changes.close();
                }
            } catch (SQLException e) {
                // the connection is rolled back and returned below
            }
            if (!committed) {
                rollbackQuietly(connection); // the pool also resets auto-commit when it takes it back
            }
            try {
                connection.close();
            } catch (SQLException e) {
                // a broken connection: the pool evicts it
            }
        }
    }

    @FunctionalInterface
    private interface Step {
        void run(PostgresChangeWriter writer) throws SQLException;
    }

    @Override
    public boolean canKeepPending() {
        return true;
    }

    @Override
    public void recordPending(Lsn lsn) {
        setPending(() -> "recording pending marker " + lsn, lsn.toString());
    }

    @Override
    public void clearPending() {
        setPending(() -> "clearing the pending marker", null);
    }

    private void setPending(Supplier<String> doing, String lsn) {
        write(doing, connection -> {
            try (PreparedStatement update = connection.prepareStatement(sql.setPending)) {
                update.setString(1, lsn);
                update.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void resetHistory(String historyId) {
        write(() -> "resetting to history " + historyId, connection -> {
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
        write(() -> "storing metadata " + key, connection -> {
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
     * become {@link SyncStoreException}, other exceptions pass unchanged. A
     * connection found dead (the server dropped the pool's idle connections, as a restart does) makes
     * the pool drop them all, and the work (a small one: never a batch) runs once more on a fresh one.
     */
    private <T> T write(Supplier<String> doing, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return inTransaction(work);
            } catch (SQLException e) {
                if (attempt == 1 && PgFailures.isConnectionLost(e)) {
                    pool.getHikariPoolMXBean().softEvictConnections(); // its siblings died with it
                    continue;
                }
                throw PgFailures.of(doing.get(), config.schema(), e);
            }
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
    public StorePosition position() {
        return reads.state("reading the committed position",
                rs -> new StorePosition(Lsn.parse(rs.getString(2)), rs.getLong(3)));
    }

    @Override
    public Optional<String> historyId() {
        return reads.state("reading the history id", rs -> Optional.ofNullable(rs.getString(1)));
    }

    @Override
    public Optional<Lsn> pendingLsn() {
        return reads.state("reading the pending marker", rs -> Optional.ofNullable(rs.getString(4)).map(Lsn::parse));
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
        pool.close();
    }

    @Override
    public String toString() {
        return "PostgresStore[" + config + "]";
    }
}
