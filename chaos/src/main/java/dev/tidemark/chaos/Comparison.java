package dev.tidemark.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a client's store with the source, row by row and column by column. A source row missing from the
 * store, or older there (a lower {@code version}), is lost; a row the source does not have, or a newer version, is
 * duplicated (a change applied again after a later one); any other difference is divergent.
 */
final class Comparison {

    record Counts(long rows, int lost, int duplicated, int divergent, List<String> differences) {
        Counts {
            differences = List.copyOf(differences);
        }

        boolean clean() {
            return lost == 0 && duplicated == 0 && divergent == 0;
        }
    }

    private Comparison() {}

    static Map<String, JsonNode> sourceRows(Connection source, String table) throws SQLException {
        Map<String, JsonNode> rows = new HashMap<>();
        try (Statement statement = source.createStatement();
             ResultSet result = statement.executeQuery("SELECT id::text, to_jsonb(t)::text FROM " + table + " t")) {
            while (result.next()) {
                rows.put(result.getString(1), StoreReader.parse(result.getString(2)));
            }
        }
        return rows;
    }

    static Counts compare(Connection source, Path store, List<String> tables) throws SQLException {
        return compare(source, new ClientStore.Sqlite(store), tables);
    }

    static Counts compare(Connection source, ClientStore store, List<String> tables) throws SQLException {
        long rows = 0;
        int lost = 0;
        int duplicated = 0;
        int divergent = 0;
        List<String> differences = new ArrayList<>();
        for (String table : tables) {
            Map<String, JsonNode> expected = sourceRows(source, table);
            Map<String, JsonNode> actual = store.rows(table);
            rows += expected.size();
            for (Map.Entry<String, JsonNode> row : expected.entrySet()) {
                JsonNode stored = actual.get(row.getKey());
                if (stored == null) {
                    lost++;
                    note(differences, table + " " + row.getKey() + ": missing from the store");
                } else if (!sameValues(row.getValue(), stored)) {
                    int order = versionOrder(row.getValue(), stored);
                    if (order < 0) {
                        lost++;
                    } else if (order > 0) {
                        duplicated++;
                    } else {
                        divergent++;
                    }
                    note(differences, table + " " + row.getKey() + ": source " + abbreviate(row.getValue())
                            + " but store " + abbreviate(stored));
                }
            }
            for (String id : actual.keySet()) {
                if (!expected.containsKey(id)) {
                    duplicated++;
                    note(differences, table + " " + id + ": in the store but not at the source");
                }
            }
        }
        return new Counts(rows, lost, duplicated, divergent, differences);
    }

    /** Negative when the store's version is older than the source's, positive when newer, else 0. */
    private static int versionOrder(JsonNode source, JsonNode stored) {
        JsonNode a = source.get("version");
        JsonNode b = stored.get("version");
        if (a == null || b == null || !a.isNumber() || !b.isNumber()) {
            return 0;
        }
        return Integer.signum(b.decimalValue().compareTo(a.decimalValue()));
    }

    private static String abbreviate(JsonNode row) {
        String text = row.toString();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static void note(List<String> differences, String difference) {
        if (differences.size() < 20) {
            differences.add(difference);
        }
    }

    /** Same meaning: the same columns with equal values; numbers by value. */
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
        if (source.isNumber() && stored.isNumber()) {
            return source.decimalValue().compareTo(stored.decimalValue()) == 0;
        }
        return source.equals(stored);
    }
}
