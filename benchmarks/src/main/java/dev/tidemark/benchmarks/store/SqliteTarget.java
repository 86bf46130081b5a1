package dev.tidemark.benchmarks.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.jooq.SQLDialect;

/** SQLite files in a temporary directory; baselines use the store's pragmas and table layout. */
final class SqliteTarget implements Target {

    private final Path directory;
    private final String durability;

    SqliteTarget(String durability) throws IOException {
        this.directory = Files.createTempDirectory("tidemark-bench-sqlite");
        this.durability = durability;
    }

    @Override
    public String storeName() {
        return "sqlite";
    }

    @Override
    public Map<String, String> newStoreConfig(String run) {
        return Map.of("path", directory.resolve(run + "-store.db").toString(), "durability", durability);
    }

    @Override
    public RowWriter newBaseline(String run, Layout layout) throws SQLException {
        Connection connection = open(run, layout);
        return RowWriter.jdbc(connection, "INSERT INTO e (entity_type, entity_id, data) VALUES (?, ?, ?)",
                RowWriter.Transactions.BEGIN_IMMEDIATE);
    }

    @Override
    public RowWriter newJooqBaseline(String run) throws SQLException {
        return RowWriter.jooq(open(run, Layout.STORE), SQLDialect.SQLITE, "e", false, RowWriter.Transactions.BEGIN_IMMEDIATE);
    }

    private Connection open(String run, Layout layout) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve(run + "-baseline.db"));
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("PRAGMA synchronous=" + durability.toUpperCase(java.util.Locale.ROOT));
            if (layout == Layout.CLUSTERED) {
                statement.execute("CREATE TABLE e (entity_type TEXT NOT NULL, entity_id TEXT NOT NULL, data TEXT NOT NULL,"
                        + " PRIMARY KEY (entity_type, entity_id)) WITHOUT ROWID");
            } else {
                statement.execute("CREATE TABLE e (entity_type TEXT NOT NULL, entity_id TEXT NOT NULL, data TEXT NOT NULL)");
                statement.execute("CREATE UNIQUE INDEX e_key ON e (entity_type, entity_id)");
            }
        }
        return connection;
    }

    @Override
    public void drop(String run) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(run + "-")).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
