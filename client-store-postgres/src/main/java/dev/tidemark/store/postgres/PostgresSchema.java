package dev.tidemark.store.postgres;

import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * The store's tables, created and upgraded by Flyway from the versioned scripts under {@code migrations/}
 * ({@code ${schema}} is the store's quoted schema; never edit one that shipped, add a new one), recorded with their
 * checksums in {@code <schema>.flyway_schema_history}. Pending scripts run in one transaction.
 *
 * <p>A store written before Flyway recorded its version in {@code <schema>.schema_version}; it is baselined at that
 * version, then migrated. A store newer than this Tidemark is refused. The whole sequence runs under a session
 * advisory lock on the schema name (Flyway's own lock covers only its migrate step), so clients opening the same
 * schema at once do not race.
 */
final class PostgresSchema {

    static final String HISTORY_TABLE = "flyway_schema_history";
    private static final String LEGACY_TABLE = "schema_version";
    private static final String LOCATION = "classpath:dev/tidemark/store/postgres/migrations";

    private PostgresSchema() {}

    private static FluentConfiguration configure(DataSource dataSource, StoreSql sql, String schemaName) {
        return Flyway.configure(PostgresSchema.class.getClassLoader())
                .dataSource(dataSource)
                .schemas(schemaName)
                .defaultSchema(schemaName)
                .createSchemas(true)
                .table(HISTORY_TABLE)
                .locations(LOCATION)
                .placeholders(Map.of("schema", sql.schema))
                .group(true)
                .cleanDisabled(true)
                .failOnMissingLocations(true);
    }

    static void migrate(DataSource dataSource, StoreSql sql, String schemaName) throws SQLException {
        Flyway flyway = configure(dataSource, sql, schemaName).load();
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_lock(hashtext(?))")) {
                lock.setString(1, "tidemark-client-store:" + schemaName);
                lock.execute();
            }
            try {
                MigrationVersion latest = Arrays.stream(flyway.info().all())
                        .filter(migration -> migration.getState().isResolved() && migration.getVersion() != null)
                        .map(MigrationInfo::getVersion)
                        .max(Comparator.naturalOrder())
                        .orElseThrow(() -> new IllegalStateException("the store's migrations are missing from its jar"));
                Optional<Integer> legacy = legacyVersion(connection, sql);
                if (legacy.isPresent()) {
                    if (MigrationVersion.fromVersion(legacy.get().toString()).isNewerThan(latest.getVersion())) {
                        throw newer(schemaName, legacy.get().toString(), latest);
                    }
                    configure(dataSource, sql, schemaName)
                            .baselineVersion(legacy.get().toString())
                            .baselineDescription("schema_version " + legacy.get())
                            .load()
                            .baseline();
                }
                MigrationInfo current = flyway.info().current();
                if (current != null && (current.getState() == MigrationState.FUTURE_SUCCESS
                        || current.getState() == MigrationState.FUTURE_FAILED)) {
                    throw newer(schemaName, current.getVersion().getVersion(), latest);
                }
                flyway.migrate();
            } finally {
                try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
                    unlock.setString(1, "tidemark-client-store:" + schemaName);
                    unlock.execute();
                }
            }
        }
    }

    private static SyncStoreException newer(String schemaName, String version, MigrationVersion latest) {
        return new SyncStoreException(StoreErrorCode.INCOMPATIBLE_SCHEMA, "the PostgreSQL store in schema "
                + schemaName + " has schema version " + version + " but this Tidemark knows only up to "
                + latest.getVersion() + "; upgrade Tidemark, or use another 'schema'");
    }

    /** The version a store before Flyway recorded, when the schema has no Flyway history yet. */
    private static Optional<Integer> legacyVersion(Connection connection, StoreSql sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT to_regclass('" + sql.schema + "." + HISTORY_TABLE
                        + "') IS NULL AND to_regclass('" + sql.schema + "." + LEGACY_TABLE + "') IS NOT NULL")) {
            rows.next();
            if (!rows.getBoolean(1)) {
                return Optional.empty();
            }
        }
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT max(version) FROM " + sql.schema + "." + LEGACY_TABLE)) {
            rows.next();
            int version = rows.getInt(1);
            return rows.wasNull() ? Optional.empty() : Optional.of(version);
        }
    }
}
