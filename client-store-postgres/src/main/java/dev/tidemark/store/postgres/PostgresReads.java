package dev.tidemark.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/** The store's reads, each on a pooled connection: one statement, committed data only. */
final class PostgresReads {

    private static final int FETCH_SIZE = 1000;

    /** A read on a connection. */
    @FunctionalInterface
    interface Read<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Reads the state row: history_id, committed_lsn, committed_checksum, pending_lsn. */
    @FunctionalInterface
    interface StateRead<T> {
        T read(ResultSet state) throws SQLException;
    }

    private final HikariDataSource pool;
    private final StoreSql sql;
    private final String schema;

    PostgresReads(HikariDataSource pool, StoreSql sql, String schema) {
        this.pool = pool;
        this.sql = sql;
        this.schema = schema;
    }

    private <T> T read(String doing, Read<T> read) {
        return read(doing, () -> true, read);
    }

    /**
     * Runs {@code read} on a pooled connection; once more on a fresh one if that connection was found
     * dead (the server dropped it while it was idle) and {@code safeToRetry} allows.
     */
    private <T> T read(String doing, BooleanSupplier safeToRetry, Read<T> read) {
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = pool.getConnection()) {
                return read.run(connection);
            } catch (SQLException e) {
                if (attempt > 1 || !PgFailures.isConnectionLost(e) || !safeToRetry.getAsBoolean()) {
                    throw PgFailures.of(doing, schema, e);
                }
                pool.getHikariPoolMXBean().softEvictConnections(); // its siblings died with it
            }
        }
    }

    <T> T state(String doing, StateRead<T> reader) {
        return read(doing, connection -> {
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery(sql.readState)) {
                if (!rs.next()) {
                    throw new SyncStoreException(StoreErrorCode.STORAGE_FAILURE, "the store in schema "
                            + schema + " lost its sync_state row; restore it or use a new schema");
                }
                return reader.read(rs);
            }
        });
    }

    Optional<String> get(String entityType, String entityId) {
        return read("reading " + entityType + " '" + entityId + "'", connection -> {
            try (PreparedStatement select = connection.prepareStatement(sql.get)) {
                select.setString(1, entityType);
                select.setString(2, entityId);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    long count(String entityType) {
        return read("counting " + entityType, connection -> {
            try (PreparedStatement select = connection.prepareStatement(sql.count)) {
                select.setString(1, entityType);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** A cursor (fetch size) needs a transaction; the one statement sees one snapshot. */
    void forEach(String entityType, BiConsumer<String, String> action) {
        boolean[] delivered = {false};
        read("reading every " + entityType, () -> !delivered[0], connection -> {
            connection.setAutoCommit(false);
            try (PreparedStatement select = connection.prepareStatement(sql.forEach)) {
                select.setFetchSize(FETCH_SIZE);
                select.setString(1, entityType);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        delivered[0] = true;
                        action.accept(rs.getString(1), rs.getString(2));
                    }
                }
            } finally {
                PostgresStore.rollbackQuietly(connection); // the pool also resets auto-commit when it takes the connection back
            }
            return null;
        });
    }

    Optional<String> metadata(String key) {
        return read("reading metadata " + key, connection -> {
            try (PreparedStatement select = connection.prepareStatement(sql.metadata)) {
                select.setString(1, key);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }
}
