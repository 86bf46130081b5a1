package dev.tidemark.server.changelog.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Creates and upgrades the {@code tidemark} schema with Flyway: the versioned scripts under
 * {@code migrations/} ({@code V<n>__<description>.sql}, never edited once released), recorded with their
 * checksums in {@code tidemark.flyway_schema_history}. All pending scripts run in one transaction, so a failed
 * upgrade changes nothing.
 *
 * <p>A change log written before Flyway recorded its version in {@code tidemark.schema_version}; it is baselined at
 * that version and then migrated. A log newer than this server is refused.
 *
 * <p>Flyway locks its history table while it migrates. The whole sequence (read the old version, baseline,
 * migrate) also runs under a session advisory lock, so two servers starting at once cannot both baseline.
 */
final class Migrations {

    static final String SCHEMA = "tidemark";
    static final String HISTORY_TABLE = "flyway_schema_history";
    /** The hand-kept version table of servers before Flyway. */
    static final String LEGACY_TABLE = "schema_version";
    static final String LOCATION = "classpath:dev/tidemark/server/changelog/postgres/migrations";

    /** Any fixed key; it only has to be the same in every Tidemark server. */
    private static final long ADVISORY_LOCK_KEY = 0x7469_6465_6d61_726bL; // "tidemark"

    private Migrations() {}

    private static FluentConfiguration configure(DataSource dataSource) {
        return Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .createSchemas(true)
                .table(HISTORY_TABLE)
                .locations(LOCATION)
                .placeholderReplacement(false)
                .group(true)
                .cleanDisabled(true)
                .failOnMissingLocations(true);
    }

    /**
     * Brings the schema to the latest version this server knows.
     *
     * @return the number of scripts applied now (0 when the schema was up to date)
     * @throws SQLException on a database error, or when the schema is newer than this server
     */
    static int migrate(DataSource dataSource) throws SQLException {
        Flyway flyway = configure(dataSource).load();
        try (Connection lock = dataSource.getConnection(); Statement statement = lock.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + ADVISORY_LOCK_KEY + ")");
            try {
                MigrationVersion latest = latestKnown(flyway.info());
                Optional<Integer> legacy = legacyVersion(lock);
                if (legacy.isPresent()) {
                    if (MigrationVersion.fromVersion(legacy.get().toString()).isNewerThan(latest.getVersion())) {
                        throw newer(legacy.get().toString(), latest);
                    }
                    configure(dataSource)
                            .baselineVersion(legacy.get().toString())
                            .baselineDescription("tidemark schema_version " + legacy.get())
                            .load()
                            .baseline();
                }
                MigrationInfo current = flyway.info().current();
                if (current != null && (current.getState() == MigrationState.FUTURE_SUCCESS
                        || current.getState() == MigrationState.FUTURE_FAILED)) {
                    throw newer(current.getVersion().getVersion(), latest);
                }
                int executed = flyway.migrate().migrationsExecuted;
                recordForOlderServers(lock, flyway.info());
                return executed;
            } finally {
                statement.execute("SELECT pg_advisory_unlock(" + ADVISORY_LOCK_KEY + ")");
            }
        }
    }

    /**
     * Checks, without writing anything, that the schema is at the latest version this server knows: for tools that
     * only read the change log ({@code tidemark status}), which must not create or upgrade a schema under a running
     * server of another version.
     *
     * @throws SQLException on a database error, or when there is no schema, or it is older or newer than this server
     */
    static void requireCurrent(DataSource dataSource) throws SQLException {
        MigrationInfoService info = configure(dataSource).load().info();
        MigrationVersion latest = latestKnown(info);
        MigrationInfo current = info.current();
        if (current == null) {
            throw new SQLException("there is no tidemark schema here that this version can read (none yet, or one"
                    + " from before version 1 of its migrations): a server creates or upgrades it when it starts");
        }
        if (current.getState() == MigrationState.FUTURE_SUCCESS || current.getState() == MigrationState.FUTURE_FAILED) {
            throw newer(current.getVersion().getVersion(), latest);
        }
        if (info.pending().length > 0) {
            throw new SQLException("the tidemark schema is at version " + current.getVersion().getVersion()
                    + " but this version of tidemark reads version " + latest.getVersion() + "; it does not upgrade"
                    + " the schema when it only reads: start a server of this version on the database (it upgrades"
                    + " the schema), or use the tidemark of the servers that run on it");
        }
    }

    /**
     * Keeps {@code tidemark.schema_version} in step with Flyway's history: servers from before Flyway read it, so a
     * schema upgraded past what they know is refused by them (with their own "run a server at least as new")
     * instead of being written in an old shape.
     */
    private static void recordForOlderServers(Connection connection, MigrationInfoService info) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + SCHEMA + "." + LEGACY_TABLE + " (version integer PRIMARY KEY,"
                    + " description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + SCHEMA + "." + LEGACY_TABLE
                + " (version, description) VALUES (?, ?) ON CONFLICT (version) DO NOTHING")) {
            for (MigrationInfo applied : info.applied()) {
                if (applied.getVersion() == null || !applied.getState().isApplied()
                        || !applied.getVersion().getVersion().matches("\\d+")) {
                    continue;
                }
                insert.setInt(1, Integer.parseInt(applied.getVersion().getVersion()));
                insert.setString(2, applied.getDescription());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static MigrationVersion latestKnown(MigrationInfoService info) {
        return Arrays.stream(info.all())
                .filter(migration -> migration.getState().isResolved() && migration.getVersion() != null)
                .map(MigrationInfo::getVersion)
                .max(Comparator.naturalOrder())
                .orElseThrow(() -> new IllegalStateException("the migrations are missing from the server jar"));
    }

    private static SQLException newer(String version, MigrationVersion latest) {
        return new SQLException("the tidemark schema is at version " + version
                + " but this server knows versions up to " + latest.getVersion()
                + ": run a server at least as new as the one that upgraded it");
    }

    /** The version a pre-Flyway server recorded, when the schema has no Flyway history yet. */
    private static Optional<Integer> legacyVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT to_regclass('" + SCHEMA + "." + HISTORY_TABLE
                        + "') IS NULL AND to_regclass('" + SCHEMA + "." + LEGACY_TABLE + "') IS NOT NULL")) {
            rows.next();
            if (!rows.getBoolean(1)) {
                return Optional.empty();
            }
        }
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT max(version) FROM " + SCHEMA + "." + LEGACY_TABLE)) {
            rows.next();
            int version = rows.getInt(1);
            return rows.wasNull() ? Optional.empty() : Optional.of(version);
        }
    }

    /** The version of the schema as recorded in Flyway's history (0 when none was applied). */
    static int currentVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT version FROM " + SCHEMA + "." + HISTORY_TABLE
                        + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1")) {
            return rows.next() ? Integer.parseInt(rows.getString(1)) : 0;
        }
    }
}
