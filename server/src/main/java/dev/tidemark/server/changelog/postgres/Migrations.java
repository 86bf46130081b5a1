package dev.tidemark.server.changelog.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades the {@code tidemark} schema with versioned migrations, recorded in
 * {@code tidemark.schema_version}. The pending migrations run in one transaction under an advisory
 * lock, so two servers starting at once do not both apply them, and a failed upgrade changes nothing.
 */
final class Migrations {

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    /** Any fixed key; it only has to be the same in every Tidemark server. */
    private static final long ADVISORY_LOCK_KEY = 0x7469_6465_6d61_726bL; // "tidemark"

    /** Every migration, in order; version N is the N-th. Never edit a released one: add a new one. */
    static final List<Migration> ALL = List.of(
            new Migration(1, "change_log"),
            new Migration(2, "change_move"),
            new Migration(3, "table_refresh"),
            new Migration(4, "type_checksum"));

    record Migration(int version, String description) {

        String resource() {
            return "migrations/V" + version + "__" + description + ".sql";
        }

        String sql() {
            try (InputStream in = Migrations.class.getResourceAsStream(resource())) {
                if (in == null) {
                    throw new IllegalStateException("migration " + resource() + " is missing from the server jar");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read migration " + resource(), e);
            }
        }
    }

    private Migrations() {}

    /** The schema version this server writes. */
    static int latestVersion() {
        return ALL.get(ALL.size() - 1).version();
    }

    /**
     * Brings the schema to {@link #latestVersion()}.
     *
     * @return the versions applied now (empty when the schema was up to date)
     * @throws SQLException on a database error, or when the schema is newer than this server
     */
    static List<Integer> migrate(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_xact_lock(" + ADVISORY_LOCK_KEY + ")");
                statement.execute("CREATE SCHEMA IF NOT EXISTS tidemark");
                statement.execute("CREATE TABLE IF NOT EXISTS tidemark.schema_version ("
                        + "version integer PRIMARY KEY, description text NOT NULL, "
                        + "applied_at timestamptz NOT NULL DEFAULT now())");
            }
            int current = currentVersion(connection);
            if (current > latestVersion()) {
                throw new SQLException("the tidemark schema is at version " + current
                        + " but this server knows versions up to " + latestVersion()
                        + ": run a server at least as new as the one that upgraded it");
            }
            List<Integer> applied = new java.util.ArrayList<>();
            for (Migration migration : ALL) {
                if (migration.version() <= current) {
                    continue;
                }
                try (Statement statement = connection.createStatement()) {
                    statement.execute(migration.sql());
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO tidemark.schema_version (version, description) VALUES (?, ?)")) {
                    insert.setInt(1, migration.version());
                    insert.setString(2, migration.description());
                    insert.executeUpdate();
                }
                applied.add(migration.version());
                log.info("tidemark schema migrated to version {} ({})", migration.version(), migration.description());
            }
            connection.commit();
            return List.copyOf(applied);
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    static int currentVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT coalesce(max(version), 0) FROM tidemark.schema_version")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
