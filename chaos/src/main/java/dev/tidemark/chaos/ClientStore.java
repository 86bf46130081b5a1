package dev.tidemark.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A client's store as the checker sees it from outside the client's process: how to name it to the client, how
 * to sample it during the run, how to read its rows at the end.
 */
sealed interface ClientStore permits ClientStore.Sqlite, ClientStore.Postgres {

    /** The store's name for {@code --store}. */
    String name();

    /** Its settings ({@code -S KEY=VALUE}). */
    Map<String, String> settings();

    /** One consistent sample, or empty when it does not exist yet or cannot be read just now. */
    Optional<StoreReader.Sample> sample();

    /** Every row of {@code entityType}: id to its columns. */
    Map<String, JsonNode> rows(String entityType) throws SQLException;

    /** Drops the store (a passed run keeps no stores). */
    void delete() throws IOException, SQLException;

    default long committedLsn() {
        return sample().map(StoreReader.Sample::committedLsn).orElse(0L);
    }

    /** The store's options for the CLI client. */
    default List<String> cliArguments() {
        List<String> arguments = new java.util.ArrayList<>(List.of("--store", name()));
        settings().forEach((key, value) -> arguments.addAll(List.of("-S", key + "=" + value)));
        return arguments;
    }

    /** A SQLite file. */
    record Sqlite(Path file) implements ClientStore {
        @Override
        public String name() {
            return "sqlite";
        }

        @Override
        public Map<String, String> settings() {
            return Map.of("path", file.toString());
        }

        @Override
        public List<String> cliArguments() {
            return List.of("--file", file.toString());
        }

        @Override
        public Optional<StoreReader.Sample> sample() {
            return StoreReader.sample(file);
        }

        @Override
        public Map<String, JsonNode> rows(String entityType) throws SQLException {
            return StoreReader.rows(file, entityType);
        }

        @Override
        public void delete() throws IOException {
            Files.deleteIfExists(file);
            Files.deleteIfExists(Path.of(file + "-wal"));
            Files.deleteIfExists(Path.of(file + "-shm"));
        }

        @Override
        public String toString() {
            return file.toString();
        }
    }

    /**
     * A schema of a PostgreSQL database on the suite's cluster: a PostgreSQL crash fault stops the client's store
     * as well as the source.
     */
    record Postgres(PostgresProcess postgres, String database, String schema) implements ClientStore {
        @Override
        public String name() {
            return "postgres";
        }

        @Override
        public Map<String, String> settings() {
            Map<String, String> settings = new java.util.LinkedHashMap<>();
            settings.put("jdbcUrl", postgres.jdbcUrl(database));
            settings.put("user", "postgres");
            settings.put("schema", schema);
            return settings;
        }

        @Override
        public Optional<StoreReader.Sample> sample() {
            try (Connection connection = postgres.connect(database)) {
                connection.setAutoCommit(false);
                connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                try (Statement statement = connection.createStatement()) {
                    String history;
                    long lsn;
                    try (ResultSet state = statement.executeQuery("SELECT history_id, (committed_lsn - '0/0'::pg_lsn)::bigint"
                            + " FROM " + schema + ".sync_state")) {
                        if (!state.next()) {
                            return Optional.empty();
                        }
                        history = state.getString(1);
                        lsn = state.getLong(2);
                    }
                    boolean resyncing;
                    try (ResultSet marker = statement.executeQuery("SELECT value FROM " + schema + ".metadata WHERE key = '"
                            + StoreReader.RESYNC_MARKER + "'")) {
                        resyncing = marker.next() && !marker.getString(1).isEmpty();
                    }
                    Map<Integer, Long> balances = new HashMap<>();
                    try (ResultSet rows = statement.executeQuery("SELECT entity_id, (data->>'balance')::bigint FROM "
                            + schema + ".entity WHERE entity_type = 'accounts'")) {
                        while (rows.next()) {
                            balances.put(Integer.parseInt(rows.getString(1)), rows.getLong(2));
                        }
                    }
                    Map<Long, Long> versions = new HashMap<>();
                    try (ResultSet rows = statement.executeQuery("SELECT entity_id, (data->>'version')::bigint FROM "
                            + schema + ".entity WHERE entity_type = 'items'")) {
                        while (rows.next()) {
                            versions.put(Long.parseLong(rows.getString(1)), rows.getLong(2));
                        }
                    }
                    connection.commit();
                    return Optional.of(new StoreReader.Sample(history, lsn, balances, versions, resyncing));
                }
            } catch (SQLException | RuntimeException e) {
                return Optional.empty(); // not created yet, or PostgreSQL is down (a fault)
            }
        }

        @Override
        public Map<String, JsonNode> rows(String entityType) throws SQLException {
            Map<String, JsonNode> rows = new HashMap<>();
            try (Connection connection = postgres.connect(database);
                 PreparedStatement query = connection.prepareStatement(
                         "SELECT entity_id, data::text FROM " + schema + ".entity WHERE entity_type = ?")) {
                query.setString(1, entityType);
                try (ResultSet result = query.executeQuery()) {
                    while (result.next()) {
                        rows.put(result.getString(1), StoreReader.parse(result.getString(2)));
                    }
                }
            }
            return rows;
        }

        @Override
        public void delete() throws SQLException {
            try (Connection connection = postgres.connect(database); Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }

        @Override
        public String toString() {
            return database + "." + schema;
        }
    }
}
