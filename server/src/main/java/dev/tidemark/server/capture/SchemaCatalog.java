package dev.tidemark.server.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the shapes of the tables to capture from the source's catalog: the tables the publication
 * publishes, plus (for {@code check}, before the publication exists) the configured tables and every
 * table of the configured schemas. The change log's own schema is never included.
 */
final class SchemaCatalog {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String QUERY = "SELECT n.nspname, c.relname, c.relreplident,"
            + " ARRAY(SELECT a.attname::text FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)"
            + "   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
            + "   WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY k.ord) AS pk,"
            + " ARRAY(SELECT a.attname::text FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)"
            + "   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
            + "   WHERE i.indrelid = c.oid AND i.indisreplident ORDER BY k.ord) AS ident,"
            + " coalesce((SELECT json_agg(json_build_array(a.attname, a.atttypid::bigint, a.atttypmod) ORDER BY a.attnum)"
            + "   FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
            + "   AND a.attgenerated = ''), '[]')::text AS cols"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'tidemark'"
            + " AND (EXISTS (SELECT 1 FROM pg_publication_tables p WHERE p.pubname = ? AND p.schemaname = n.nspname"
            + "   AND p.tablename = c.relname)"
            + "  OR n.nspname = ANY (?) OR n.nspname || '.' || c.relname = ANY (?))"
            + " ORDER BY 1, 2";

    private SchemaCatalog() {}

    /** The published tables. */
    static List<TableShape> published(Connection connection, String publication) throws SQLException {
        return read(connection, publication, List.of(), List.of());
    }

    /** The published tables and those {@code settings} name (directly or by schema). */
    static List<TableShape> configured(Connection connection, CaptureSettings settings) throws SQLException {
        return read(connection, settings.publicationName(), settings.schemas(), settings.tables());
    }

    private static List<TableShape> read(Connection connection, String publication, List<String> schemas,
                                         List<String> tables) throws SQLException {
        List<TableShape> shapes = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(QUERY)) {
            select.setString(1, publication);
            select.setArray(2, connection.createArrayOf("text", schemas.toArray()));
            select.setArray(3, connection.createArrayOf("text", tables.toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    List<TableShape.Column> columns = new ArrayList<>();
                    try {
                        for (JsonNode column : JSON.readTree(rows.getString(6))) {
                            columns.add(new TableShape.Column(column.get(0).asText(), column.get(1).asLong(),
                                    column.get(2).asInt()));
                        }
                    } catch (IOException e) {
                        throw new SQLException("cannot read the columns of " + rows.getString(1) + "." + rows.getString(2), e);
                    }
                    String identity = rows.getString(3);
                    shapes.add(new TableShape(rows.getString(1), rows.getString(2), columns, strings(rows.getArray(4)),
                            identity == null || identity.isEmpty() ? 'd' : identity.charAt(0), strings(rows.getArray(5))));
                }
            }
        }
        return shapes;
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }
}
