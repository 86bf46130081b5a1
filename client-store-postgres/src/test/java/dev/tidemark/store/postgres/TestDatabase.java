package dev.tidemark.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The PostgreSQL the tests use: {@code TIDEMARK_TEST_PG_URL} when set (a JDBC URL with user and
 * password), otherwise an embedded PostgreSQL 17 started for the test class, with
 * {@code synchronous_commit=on} (zonky turns it off, which would void every durability test).
 */
final class TestDatabase implements AutoCloseable {

    private final EmbeddedPostgres embedded;
    private final String jdbcUrl;

    private TestDatabase(EmbeddedPostgres embedded, String jdbcUrl) {
        this.embedded = embedded;
        this.jdbcUrl = jdbcUrl;
    }

    static TestDatabase start() {
        String external = System.getenv("TIDEMARK_TEST_PG_URL");
        if (external != null && !external.isBlank()) {
            return new TestDatabase(null, external);
        }
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder()
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on")
                    .start();
            return new TestDatabase(embedded, embedded.getJdbcUrl("postgres", "postgres"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
        }
    }

    String jdbcUrl() {
        return jdbcUrl;
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
