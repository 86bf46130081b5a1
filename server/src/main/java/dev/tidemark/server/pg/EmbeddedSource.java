package dev.tidemark.server.pg;

import static java.util.Objects.requireNonNull;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** A running embedded PostgreSQL; {@link #close()} stops it and keeps its data directory. */
public final class EmbeddedSource implements AutoCloseable {

    /** The superuser initdb creates in an embedded cluster. */
    public static final String SUPERUSER = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    EmbeddedSource(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.dataDirectory = requireNonNull(dataDirectory, "dataDirectory is null");
    }

    /** Settings to reach database {@code database} as the superuser. */
    public SourceSettings settings(String database) {
        return new SourceSettings("jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database, SUPERUSER, null);
    }

    /** Settings to reach the {@code postgres} database as the superuser. */
    public SourceSettings settings() {
        return settings("postgres");
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop the embedded PostgreSQL in " + dataDirectory, e);
        }
    }
}
