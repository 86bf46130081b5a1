package dev.tidemark.server.pg;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL for tests: one embedded PostgreSQL 17 per test JVM ({@code wal_level=logical},
 * {@code synchronous_commit=on}), or the server named by {@code TIDEMARK_TEST_PG_URL} (a JDBC URL of
 * a database whose role may create databases and has {@code REPLICATION}). Each test class gets fresh
 * databases from {@link #createDatabase()}; they and their replication slots are dropped after the
 * class. Register with {@code @RegisterExtension static final TestDatabases postgres = new TestDatabases();}.
 */
public final class TestDatabases implements BeforeAllCallback, AfterAllCallback {

    /** Environment variable naming an external PostgreSQL to test against. */
    public static final String URL_VARIABLE = "TIDEMARK_TEST_PG_URL";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TestDatabases.class);

    private SharedServer server;
    private final List<String> created = new ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) {
        server = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedServer.class, key -> SharedServer.start(), SharedServer.class);
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        for (String database : created) {
            dropDatabase(database);
        }
        created.clear();
    }

    /** Creates an empty database and returns how to reach it. */
    public SourceSettings createDatabase() {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection admin = server.admin().connect(); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        created.add(name);
        return server.database(name);
    }

    /** Settings of the administrative database (to look at slots, or restart PostgreSQL state). */
    public SourceSettings admin() {
        return server.admin();
    }

    private void dropDatabase(String name) throws SQLException {
        try (Connection admin = server.admin().connect()) {
            try (PreparedStatement drop = admin.prepareStatement("SELECT pg_drop_replication_slot(slot_name)"
                    + " FROM pg_replication_slots WHERE database = ?")) {
                drop.setString(1, name);
                drop.execute();
            } catch (SQLException e) {
                // A slot still in use by a walsender that is going away; DROP DATABASE ... FORCE reports it.
            }
            try (Statement statement = admin.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    /** The one server of the test JVM, closed by JUnit at the end of the run. */
    private record SharedServer(EmbeddedPostgres embedded, SourceSettings admin, Path dataDirectory)
            implements AutoCloseable {

        static SharedServer start() {
            String url = System.getenv(URL_VARIABLE);
            if (url != null && !url.isBlank()) {
                return new SharedServer(null, new SourceSettings(url, null, null), null);
            }
            Path directory = Paths.get("target", "test-postgres-" + UUID.randomUUID()).toAbsolutePath();
            EmbeddedPostgres embedded = startEmbedded(directory);
            return new SharedServer(embedded, settings(embedded, "postgres"), directory);
        }

        /** Like the reference server's embedded PostgreSQL: logical decoding, durable commits. */
        private static EmbeddedPostgres startEmbedded(Path directory) {
            try {
                return EmbeddedPostgres.builder()
                        .setDataDirectory(directory)
                        .setCleanDataDirectory(false)
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("max_replication_slots", "32")
                        .setServerConfig("max_wal_senders", "32")
                        .setServerConfig("max_connections", "200")
                        .setServerConfig("listen_addresses", "localhost")
                        .setServerConfig("wal_level", "logical")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("fsync", "on")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the test PostgreSQL in " + directory, e);
            }
        }

        private static SourceSettings settings(EmbeddedPostgres embedded, String database) {
            return new SourceSettings("jdbc:postgresql://localhost:" + embedded.getPort() + "/" + database, "postgres", null);
        }

        SourceSettings database(String name) {
            if (embedded != null) {
                return settings(embedded, name);
            }
            String url = admin.jdbcUrl();
            int query = url.indexOf('?');
            String base = query < 0 ? url : url.substring(0, query);
            String parameters = query < 0 ? "" : url.substring(query);
            return new SourceSettings(base.substring(0, base.lastIndexOf('/') + 1) + name + parameters,
                    admin.user(), admin.password());
        }

        @Override
        public void close() {
            if (embedded == null) {
                return;
            }
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try (Stream<Path> files = Files.walk(dataDirectory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
