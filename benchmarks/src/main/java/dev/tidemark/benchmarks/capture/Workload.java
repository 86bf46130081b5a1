package dev.tidemark.benchmarks.capture;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** The source workload: small rows inserted in transactions of a fixed size. */
final class Workload {

    static final String TABLE = "bench_rows";

    private Workload() {}

    static void createTable(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + TABLE);
            statement.execute("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, name text, amount numeric(12,2),"
                    + " created timestamptz)");
        }
    }

    /** Commits {@code changes} inserts, {@code rowsPerTransaction} per transaction. */
    static void run(Connection connection, int changes, int rowsPerTransaction) throws SQLException {
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            for (long from = 1; from <= changes; from += rowsPerTransaction) {
                long to = Math.min(changes, from + rowsPerTransaction - 1);
                statement.execute("INSERT INTO " + TABLE + " SELECT i, 'name ' || i, (i % 100000) / 100.0,"
                        + " now() FROM generate_series(" + from + ", " + to + ") i");
            }
        }
    }
}
