package dev.tidemark.store.sqlite;

import dev.tidemark.protocol.JsonMerge;
import dev.tidemark.protocol.ProtocolException;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.Function;

/**
 * The SQL function {@code tidemark_merge(stored, update)}: the shallow merge of an update into a
 * stored entity ({@link JsonMerge}). SQLite's own {@code json_patch} will not do: it follows RFC 7396,
 * which deletes members whose new value is {@code null} and merges nested objects deeply.
 */
final class MergeFunction extends Function {

    static final String NAME = "tidemark_merge";

    static void register(Connection connection) throws SQLException {
        Function.create(connection, NAME, new MergeFunction(), 2, Function.FLAG_DETERMINISTIC);
    }

    @Override
    protected void xFunc() throws SQLException {
        try {
            result(JsonMerge.merge(value_text(0), value_text(1)));
        } catch (ProtocolException e) {
            error(NAME + ": " + e.getMessage());
        }
    }
}
