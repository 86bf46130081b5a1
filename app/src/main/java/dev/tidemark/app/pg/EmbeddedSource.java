package dev.tidemark.app.pg;

import dev.tidemark.server.pg.SourceSettings;
import static java.util.Objects.requireNonNull;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A running embedded PostgreSQL; {@link #close()} stops it, keeps its data directory and releases the
 * directory's owner lock.
 */
public final class EmbeddedSource implements AutoCloseable {

    /** The superuser initdb creates in an embedded cluster. */
    public static final String SUPERUSER = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final DataDirectoryLock owner;

    EmbeddedSource(EmbeddedPostgres postgres, Path dataDirectory, DataDirectoryLock owner) {
        this.postgres = requireNonNull(postgres, "postgres is null");
        this.dataDirectory = requireNonNull(dataDirectory, "dataDirectory is null");
        this.owner = requireNonNull(owner, "owner is null");
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

    /** Stops PostgreSQL (a fast shutdown), then releases the data directory's owner lock. */
    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop the embedded PostgreSQL in " + dataDirectory, e);
        } finally {
            owner.close();
        }
    }
}
