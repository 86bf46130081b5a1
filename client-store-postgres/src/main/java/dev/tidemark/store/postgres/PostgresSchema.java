package dev.tidemark.store.postgres;

import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's tables, created and upgraded by numbered migrations recorded in
 * {@code <schema>.schema_version}. Opening runs the missing ones in one transaction, under an advisory
 * lock so that clients opening the same schema at once do not race.
 */
final class PostgresSchema {

    /** A migration: what it does, and its statements ({@code %s} is the quoted schema). */
    private record Migration(String description, List<String> statements) {}

    /** Migration n (from 1) is element n - 1. Never edit one that shipped; add a new one. */
    private static final List<Migration> MIGRATIONS = List.of(new Migration("entities, sync state, metadata", List.of(
            """
            CREATE TABLE %s.entity (
                entity_type text COLLATE "C" NOT NULL,
                entity_id   text COLLATE "C" NOT NULL,
                data        jsonb NOT NULL CONSTRAINT entity_data_is_object CHECK (jsonb_typeof(data) = 'object'),
                PRIMARY KEY (entity_type, entity_id)
            )""",
            """
            CREATE TABLE %s.sync_state (
                id                 smallint PRIMARY KEY CHECK (id = 1),
                history_id         text,
                committed_lsn      pg_lsn NOT NULL,
                committed_checksum bigint NOT NULL,
                pending_lsn        pg_lsn
            )""",
            "INSERT INTO %s.sync_state (id, history_id, committed_lsn, committed_checksum, pending_lsn)"
                    + " VALUES (1, NULL, '0/0', 0, NULL)",
            "CREATE TABLE %s.metadata (key text COLLATE \"C\" PRIMARY KEY, value text NOT NULL)")));

    static final int LATEST = MIGRATIONS.size();

    private PostgresSchema() {}

    static void migrate(Connection connection, StoreSql sql, String schemaName) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "tidemark-client-store:" + schemaName);
                lock.execute();
            }
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + sql.schema);
            statement.execute("CREATE TABLE IF NOT EXISTS " + sql.schema + ".schema_version ("
                    + " version integer PRIMARY KEY, description text NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
            int version;
            try (ResultSet rs = statement.executeQuery("SELECT coalesce(max(version), 0) FROM " + sql.schema + ".schema_version")) {
                rs.next();
                version = rs.getInt(1);
            }
            if (version > LATEST) {
                throw new SyncStoreException(StoreErrorCode.INCOMPATIBLE_SCHEMA, "the PostgreSQL store in schema "
                        + schemaName + " has schema version " + version + " but this Tidemark knows only up to " + LATEST
                        + "; upgrade Tidemark, or use another 'schema'");
            }
            for (int next = version + 1; next <= LATEST; next++) {
                Migration migration = MIGRATIONS.get(next - 1);
                for (String ddl : migration.statements()) {
                    statement.execute(ddl.replace("%s", sql.schema));
                }
                try (PreparedStatement record = connection.prepareStatement(
                        "INSERT INTO " + sql.schema + ".schema_version (version, description) VALUES (?, ?)")) {
                    record.setInt(1, next);
                    record.setString(2, migration.description());
                    record.executeUpdate();
                }
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }
}
