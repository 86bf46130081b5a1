package dev.tidemark.benchmarks.capture;

import dev.tidemark.server.spi.LoggedChange;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Two ways of writing the captured rows into a copy of {@code tidemark.change_history}, for context:
 * one {@code COPY} per 20 000 rows, and a JDBC batch insert of the same chunks.
 */
final class ChangeLogWriteBaselines {

    private static final int CHUNK = 20_000;

    private ChangeLogWriteBaselines() {}

    static long copy(Connection connection, List<LoggedChange> changes) throws Exception {
        recreate(connection, "bench_copy");
        long start = System.nanoTime();
        for (int from = 0; from < changes.size(); from += CHUNK) {
            StringBuilder rows = new StringBuilder();
            for (LoggedChange change : changes.subList(from, Math.min(changes.size(), from + CHUNK))) {
                rows.append(change.lsn()).append('\t').append(change.seq()).append('\t').append(change.xid())
                        .append('\t').append(change.change().type().wireName()).append('\t')
                        .append(change.change().entityType()).append('\t').append(change.change().entityId())
                        .append('\t').append(change.change().data().replace("\\", "\\\\")).append('\n');
            }
            connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY bench_copy (lsn, seq, xid, op, entity_type, entity_id, data) FROM STDIN",
                    new ByteArrayInputStream(rows.toString().getBytes(StandardCharsets.UTF_8)));
            connection.commit();
        }
        return System.nanoTime() - start;
    }

    static long batch(Connection connection, List<LoggedChange> changes) throws SQLException {
        recreate(connection, "bench_batch");
        long start = System.nanoTime();
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO bench_batch VALUES"
                + " (?::pg_lsn, ?, ?, ?, ?, ?, ?)")) {
            for (int from = 0; from < changes.size(); from += CHUNK) {
                for (LoggedChange change : changes.subList(from, Math.min(changes.size(), from + CHUNK))) {
                    insert.setString(1, change.lsn().toString());
                    insert.setInt(2, change.seq());
                    insert.setLong(3, change.xid());
                    insert.setString(4, change.change().type().wireName());
                    insert.setString(5, change.change().entityType());
                    insert.setString(6, change.change().entityId());
                    insert.setString(7, change.change().data());
                    insert.addBatch();
                }
                insert.executeBatch();
                connection.commit();
            }
        }
        return System.nanoTime() - start;
    }

    private static void recreate(Connection connection, String table) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + table);
            statement.execute("CREATE TABLE " + table + " (LIKE tidemark.change_history INCLUDING ALL)");
        }
        connection.commit();
    }
}
