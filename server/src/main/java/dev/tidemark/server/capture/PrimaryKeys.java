package dev.tidemark.server.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Looks up a table's primary key columns in the source's catalog, for tables whose relation message
 * does not mark them (replica identity {@code full}).
 */
interface PrimaryKeys {

    /** The primary key's column names in key order; empty when the table has none. */
    List<String> of(Relation relation);

    /** Never finds a key; for decoding without a catalog connection. */
    PrimaryKeys NONE = relation -> List.of();

    /** Looks keys up through {@code connection}. */
    static PrimaryKeys from(Connection connection) {
        return relation -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT a.attname FROM pg_index i"
                    + " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)"
                    + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                    + " WHERE i.indrelid = ? AND i.indisprimary ORDER BY k.ord")) {
                select.setLong(1, Integer.toUnsignedLong(relation.oid()));
                List<String> columns = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        columns.add(rows.getString(1));
                    }
                }
                return columns;
            } catch (SQLException e) {
                throw new CaptureException(CaptureError.SOURCE, "cannot read the primary key of "
                        + relation.qualifiedName() + ": " + e.getMessage(), e);
            }
        };
    }
}
