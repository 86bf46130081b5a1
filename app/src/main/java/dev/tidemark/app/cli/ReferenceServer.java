package dev.tidemark.app.cli;

import dev.tidemark.app.config.ServerConfig;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.runtime.ServerRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tidemark serve}'s server: the library's {@link ServerRuntime} on the configured source, or on an
 * embedded PostgreSQL that this class starts first (after checking the port, so a taken port starts no
 * PostgreSQL) and stops last.
 */
final class ReferenceServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReferenceServer.class);

    private final Optional<EmbeddedSource> embedded;
    private final ServerRuntime runtime;

    private ReferenceServer(Optional<EmbeddedSource> embedded, ServerRuntime runtime) {
        this.embedded = embedded;
        this.runtime = runtime;
    }

    static ReferenceServer start(ServerConfig config, MeterRegistry meters) {
        ServerRuntime.checkPortFree(config.sync().http());
        Optional<EmbeddedSource> embedded = config.source().isPresent() ? Optional.empty() : Optional.of(startEmbedded(config));
        try {
            SourceSettings source = config.source().orElseGet(() -> embedded.orElseThrow().settings());
            ServerRuntime runtime = ServerRuntime.start(new ServerRuntime.Settings(source, config.changeLogProvider(),
                    config.changeLogConfig(), config.capture(), config.sync(), meters, config.retention(),
                    config.retentionInterval()));
            return new ReferenceServer(embedded, runtime);
        } catch (RuntimeException e) {
            embedded.ifPresent(EmbeddedSource::close);
            throw e;
        }
    }

    private static EmbeddedSource startEmbedded(ServerConfig config) {
        log.info("no source database given: starting embedded PostgreSQL in {}",
                config.embedded().dataDirectory().toAbsolutePath());
        return new EmbeddedPostgresStarter().start(config.embedded());
    }

    int port() {
        return runtime.port();
    }

    /** Stops the server, then the embedded PostgreSQL. */
    @Override
    public void close() {
        try {
            runtime.close();
        } finally {
            embedded.ifPresent(EmbeddedSource::close);
        }
    }
}
