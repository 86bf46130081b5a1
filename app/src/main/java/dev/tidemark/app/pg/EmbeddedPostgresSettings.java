package dev.tidemark.app.pg;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Map;

/**
 * Settings of the embedded PostgreSQL the server starts when no source database is given.
 *
 * @param dataDirectory where PostgreSQL keeps its data; it survives restarts and is created (with
 *     {@code initdb}) when empty. Must not be inside the JVM's temporary {@code embedded-pg} folder,
 *     which the embedded library cleans up
 * @param port the TCP port on the loopback interface; {@code 0} picks a free one at each start
 * @param serverConfig extra {@code postgresql.conf} settings; they override the defaults of
 *     {@link EmbeddedPostgresStarter} except {@code wal_level} and {@code synchronous_commit}, which
 *     durability needs
 */
public record EmbeddedPostgresSettings(Path dataDirectory, int port, Map<String, String> serverConfig) {

    public EmbeddedPostgresSettings {
        requireNonNull(dataDirectory, "dataDirectory is null");
        serverConfig = Map.copyOf(requireNonNull(serverConfig, "serverConfig is null"));
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (any free port) or 1 to 65535, got " + port);
        }
    }

    /** Embedded PostgreSQL in {@code dataDirectory} on a free port, with the default configuration. */
    public static EmbeddedPostgresSettings of(Path dataDirectory) {
        return new EmbeddedPostgresSettings(dataDirectory, 0, Map.of());
    }
}
