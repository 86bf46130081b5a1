package dev.tidemark.server.changelog.postgres;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.ChangeLogException;
import dev.tidemark.server.spi.TableRefresh;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads and writes {@code tidemark.table_refresh} (markers) and {@code tidemark.captured_table} (shapes). */
final class TableRefreshTable {

    private TableRefreshTable() {}

    /**
     * Inserts the markers after {@code from} (replays at or before it are skipped), each of which must lie
     * at or before {@code upTo}, the capture position after the append.
     */
    static void insert(Connection connection, List<TableRefresh> refreshes, Lsn from, Lsn upTo) throws SQLException {
        if (refreshes.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tidemark.table_refresh"
                + " (lsn, entity_type, reason) VALUES (?::pg_lsn, ?, ?) ON CONFLICT (lsn, entity_type) DO NOTHING")) {
            int rows = 0;
            for (TableRefresh refresh : refreshes) {
                if (refresh.lsn().isAfter(upTo)) {
                    throw new ChangeLogException("table refresh of " + refresh.entityType() + " at " + refresh.lsn()
                            + " lies after the capture position " + upTo + " the append leaves: a marker is written"
                            + " with the position that covers it");
                }
                if (from != null && !refresh.lsn().isAfter(from)) {
                    continue;
                }
                insert.setString(1, refresh.lsn().toString());
                insert.setString(2, refresh.entityType());
                insert.setString(3, refresh.reason());
                insert.addBatch();
                rows++;
            }
            if (rows > 0) {
                insert.executeBatch();
            }
        }
    }

    static List<TableRefresh> read(Connection connection, Lsn after, Lsn upTo) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT r.lsn::text, r.entity_type, r.reason"
                + " FROM tidemark.table_refresh r, tidemark.history_state h"
                + " WHERE h.id = 1 AND r.lsn > ?::pg_lsn AND r.lsn <= ?::pg_lsn AND r.lsn <= h.capture_position"
                + " ORDER BY r.lsn, r.entity_type")) {
            select.setString(1, after.toString());
            select.setString(2, upTo.toString());
            List<TableRefresh> refreshes = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    refreshes.add(new TableRefresh(Lsn.parse(rows.getString(1)), rows.getString(2), rows.getString(3)));
                }
            }
            return refreshes;
        }
    }

    /** Removes the markers at or before {@code upTo} except each entity type's newest. */
    static void trim(Connection connection, Lsn upTo) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM tidemark.table_refresh r"
                + " WHERE r.lsn <= ?::pg_lsn AND EXISTS (SELECT 1 FROM tidemark.table_refresh newer"
                + " WHERE newer.entity_type = r.entity_type AND newer.lsn > r.lsn)")) {
            delete.setString(1, upTo.toString());
            delete.executeUpdate();
        }
    }

    /** Forgets every marker and shape (a new history starts). */
    static void clear(Connection connection) throws SQLException {
        try (PreparedStatement truncate = connection.prepareStatement(
                "TRUNCATE tidemark.table_refresh, tidemark.captured_table")) {
            truncate.execute();
        }
    }

    static Map<String, String> shapes(Connection connection) throws SQLException {
        Map<String, String> shapes = new TreeMap<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT entity_type, shape FROM tidemark.captured_table");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                shapes.put(rows.getString(1), rows.getString(2));
            }
        }
        return shapes;
    }

    static void saveShapes(Connection connection, Map<String, String> shapes, List<String> removed) throws SQLException {
        if (!shapes.isEmpty()) {
            try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO tidemark.captured_table"
                    + " (entity_type, shape) VALUES (?, ?) ON CONFLICT (entity_type)"
                    + " DO UPDATE SET shape = excluded.shape, updated_at = now()")) {
                for (Map.Entry<String, String> shape : shapes.entrySet()) {
                    upsert.setString(1, shape.getKey());
                    upsert.setString(2, shape.getValue());
                    upsert.addBatch();
                }
                upsert.executeBatch();
            }
        }
        if (!removed.isEmpty()) {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM tidemark.captured_table WHERE entity_type = ?")) {
                for (String type : removed) {
                    delete.setString(1, type);
                    delete.addBatch();
                }
                delete.executeBatch();
            }
        }
    }
}
