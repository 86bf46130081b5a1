package dev.tidemark.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * Reads a client's SQLite store from outside its process, read-only and in one read transaction, the way a
 * user's application reading the same file would see it.
 */
final class StoreReader {

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    /**
     * What one sample sees: the position, the balances, and each item's version; {@code resyncing} when the store
     * is marked as loading a resync snapshot (metadata {@code tidemark.resync}): it is then emptied and reloaded,
     * which docs/protocol.md ("Resync") documents, so such a sample is not checked.
     */
    record Sample(String historyId, long committedLsn, Map<Integer, Long> balances, Map<Long, Long> itemVersions,
                  boolean resyncing) {}

    /** The store metadata key a client sets while it loads a resync snapshot. */
    static final String RESYNC_MARKER = "tidemark.resync";

    private StoreReader() {}

    private static Connection open(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(2000);
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
    }

    /** One consistent sample, or empty when the store does not exist yet or is locked just now. */
    static Optional<Sample> sample(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try (Connection connection = open(file)) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                String history;
                long lsn;
                try (ResultSet state = statement.executeQuery("SELECT history_id, committed_lsn FROM tidemark_state")) {
                    if (!state.next()) {
                        return Optional.empty();
                    }
                    history = state.getString(1);
                    lsn = state.getLong(2);
                }
                boolean resyncing;
                try (ResultSet marker = statement.executeQuery("SELECT value FROM tidemark_metadata WHERE key = '"
                        + RESYNC_MARKER + "'")) {
                    resyncing = marker.next() && !marker.getString(1).isEmpty();
                }
                Map<Integer, Long> balances = new HashMap<>();
                try (ResultSet rows = statement.executeQuery("SELECT entity_id, json_extract(data, '$.balance')"
                        + " FROM tidemark_entity WHERE entity_type = 'accounts'")) {
                    while (rows.next()) {
                        balances.put(Integer.parseInt(rows.getString(1)), rows.getLong(2));
                    }
                }
                Map<Long, Long> versions = new HashMap<>();
                try (ResultSet rows = statement.executeQuery("SELECT entity_id, json_extract(data, '$.version')"
                        + " FROM tidemark_entity WHERE entity_type = 'items'")) {
                    while (rows.next()) {
                        versions.put(Long.parseLong(rows.getString(1)), rows.getLong(2));
                    }
                }
                connection.commit();
                return Optional.of(new Sample(history, lsn, balances, versions, resyncing));
            }
        } catch (SQLException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Every row of {@code entityType}: id to its columns. */
    static Map<String, JsonNode> rows(Path file, String entityType) throws SQLException {
        Map<String, JsonNode> rows = new HashMap<>();
        try (Connection connection = open(file);
             PreparedStatement query = connection.prepareStatement(
                     "SELECT entity_id, data FROM tidemark_entity WHERE entity_type = ?")) {
            query.setString(1, entityType);
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    rows.put(result.getString(1), parse(result.getString(2)));
                }
            }
        }
        return rows;
    }

    static long committedLsn(Path file) {
        return sample(file).map(Sample::committedLsn).orElse(0L);
    }

    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
