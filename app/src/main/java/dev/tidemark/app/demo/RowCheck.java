package dev.tidemark.app.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tidemark.client.spi.StoreView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a client's store with the source, row by row: every source row is in the store with the
 * same values, and the store holds no row the source does not. Values are compared by meaning:
 * numbers by value, timestamps as instants, JSON structurally.
 */
public final class RowCheck {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /** The outcome for one table. */
    public record TableResult(String table, long sourceRows, long storeRows, List<String> differences) {
        public TableResult {
            differences = List.copyOf(differences);
        }

        public boolean matches() {
            return differences.isEmpty() && sourceRows == storeRows;
        }
    }

    private RowCheck() {}

    /** Compares each table (in the {@code public} schema, keyed by {@code id}) with the store. */
    public static List<TableResult> compare(Connection source, StoreView store, List<String> tables) throws SQLException {
        List<TableResult> results = new ArrayList<>();
        for (String table : tables) {
            results.add(compareTable(source, store, table));
        }
        return results;
    }

    private static TableResult compareTable(Connection source, StoreView store, String table) throws SQLException {
        Map<String, String> sourceRows = new HashMap<>();
        try (Statement statement = source.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id::text, to_jsonb(t)::text FROM " + table + " t")) {
            while (rows.next()) {
                sourceRows.put(rows.getString(1), rows.getString(2));
            }
        }
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, String> row : sourceRows.entrySet()) {
            String stored = store.get(table, row.getKey()).orElse(null);
            if (stored == null) {
                note(differences, table + " " + row.getKey() + ": missing from the store");
            } else if (!sameValues(parse(row.getValue()), parse(stored))) {
                note(differences, table + " " + row.getKey() + ": source " + row.getValue() + " but store " + stored);
            }
        }
        long storeRows = store.count(table);
        if (storeRows != sourceRows.size()) {
            store.forEach(table, (id, data) -> {
                if (!sourceRows.containsKey(id)) {
                    note(differences, table + " " + id + ": in the store but not at the source");
                }
            });
        }
        return new TableResult(table, sourceRows.size(), storeRows, differences);
    }

    private static void note(List<String> differences, String difference) {
        if (differences.size() < 20) {
            differences.add(difference);
        }
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Same meaning: every source column is in the store with an equal value, and no column more. */
    static boolean sameValues(JsonNode source, JsonNode stored) {
        if (source.isObject() && stored.isObject()) {
            if (source.size() != stored.size()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> field : source.properties()) {
                JsonNode other = stored.get(field.getKey());
                if (other == null || !sameValues(field.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        if (source.isArray() && stored.isArray()) {
            if (source.size() != stored.size()) {
                return false;
            }
            for (int i = 0; i < source.size(); i++) {
                if (!sameValues(source.get(i), stored.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (source.isNumber() && stored.isNumber()) {
            return source.decimalValue().compareTo(stored.decimalValue()) == 0;
        }
        if (source.isTextual() && stored.isTextual()) {
            return source.textValue().equals(stored.textValue()) || sameInstant(source.textValue(), stored.textValue());
        }
        return source.equals(stored);
    }

    private static boolean sameInstant(String a, String b) {
        try {
            return OffsetDateTime.parse(a).toInstant().equals(OffsetDateTime.parse(b).toInstant());
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
