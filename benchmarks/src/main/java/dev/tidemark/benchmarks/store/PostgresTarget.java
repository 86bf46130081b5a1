package dev.tidemark.benchmarks.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.jooq.SQLDialect;

/**
 * A PostgreSQL — the one {@code --pg-url} names, or an embedded PostgreSQL 17 with
 * {@code synchronous_commit=on} — with a new schema per run; baselines insert into a table with the
 * store's columns and key.
 */
final class PostgresTarget implements Target {

    private final EmbeddedPostgres embedded;
    private final String jdbcUrl;
    private final String durability;

    PostgresTarget(String pgUrl, String durability) throws IOException {
        this.durability = durability;
        if (pgUrl != null) {
            this.embedded = null;
            this.jdbcUrl = pgUrl;
        } else {
            this.embedded = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on").start();
            this.jdbcUrl = embedded.getJdbcUrl("postgres", "postgres");
        }
    }

    @Override
    public String storeName() {
        return "postgres";
    }

    @Override
    public Map<String, String> newStoreConfig(String run) {
        return Map.of("jdbcUrl", jdbcUrl, "schema", "bench_" + run, "durability", durability);
    }

    @Override
    public RowWriter newBaseline(String run, Layout layout) throws SQLException {
        Connection connection = open(run);
        return RowWriter.jdbc(connection, "INSERT INTO base_" + run + ".entity (entity_type, entity_id, data)"
                + " VALUES (?, ?, ?::jsonb)", RowWriter.Transactions.JDBC);
    }

    @Override
    public RowWriter newJooqBaseline(String run) throws SQLException {
        return RowWriter.jooq(open(run), SQLDialect.POSTGRES, "base_" + run + ".entity", true, RowWriter.Transactions.JDBC);
    }

    private Connection open(String run) throws SQLException {
        Connection connection = DriverManager.getConnection(jdbcUrl);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET synchronous_commit = " + ("full".equals(durability) ? "on" : "off"));
            statement.execute("CREATE SCHEMA base_" + run);
            statement.execute("CREATE TABLE base_" + run + ".entity (entity_type text COLLATE \"C\" NOT NULL,"
                    + " entity_id text COLLATE \"C\" NOT NULL, data jsonb NOT NULL, PRIMARY KEY (entity_type, entity_id))");
        }
        return connection;
    }

    @Override
    public void drop(String run) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
                Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS bench_" + run + " CASCADE");
            statement.execute("DROP SCHEMA IF EXISTS base_" + run + " CASCADE");
        }
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
