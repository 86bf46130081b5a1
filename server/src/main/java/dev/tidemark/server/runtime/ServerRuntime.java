package dev.tidemark.server.runtime;

import static java.util.Objects.requireNonNull;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.tidemark.recovery.RetentionPolicy;
import dev.tidemark.server.capture.CaptureModule;
import dev.tidemark.server.capture.CaptureService;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.HttpModule;
import dev.tidemark.server.http.PortInUseException;
import dev.tidemark.server.http.SyncServer;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.Hub;
import dev.tidemark.server.hub.HubModule;
import dev.tidemark.server.pg.EmbeddedPostgresSettings;
import dev.tidemark.server.pg.EmbeddedPostgresStarter;
import dev.tidemark.server.pg.EmbeddedSource;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.retention.RetentionJob;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogs;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running reference server: the source (embedded or the user's), the change log, capture, the hub
 * and the sync endpoint, started in that order and stopped in reverse — stop accepting, flush client
 * progress, confirm the slot, close the log, stop PostgreSQL.
 *
 * <p>The endpoint's port is checked before anything starts and bound (not yet accepting) before
 * capture starts, so a taken port fails at once — no embedded PostgreSQL started, no slot created —
 * with a {@link PortInUseException} that names the port.
 */
public final class ServerRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerRuntime.class);

    /**
     * What to run.
     *
     * @param source the source PostgreSQL, or empty to start an embedded one
     * @param embedded the embedded PostgreSQL's settings, used when {@code source} is empty
     * @param changeLogProvider the change log's provider name
     * @param changeLogConfig the change log's own connection, or empty to use the source's
     * @param capture capture settings
     * @param sync endpoint, hub and auth settings
     * @param meters where metrics go (a Prometheus registry is served at {@code /metrics})
     * @param retention how long the change history is kept
     * @param retentionInterval how often the retention job runs
     */
    public record Settings(Optional<SourceSettings> source, EmbeddedPostgresSettings embedded, String changeLogProvider,
                           Optional<Map<String, String>> changeLogConfig, CaptureSettings capture,
                           SyncServerConfig sync, MeterRegistry meters, RetentionPolicy retention,
                           Duration retentionInterval) {

        /** Settings with the default retention (see {@link RetentionPolicy#defaults()}), run every minute. */
        public Settings(Optional<SourceSettings> source, EmbeddedPostgresSettings embedded, String changeLogProvider,
                        Optional<Map<String, String>> changeLogConfig, CaptureSettings capture, SyncServerConfig sync,
                        MeterRegistry meters) {
            this(source, embedded, changeLogProvider, changeLogConfig, capture, sync, meters, RetentionPolicy.defaults(),
                    Duration.ofMinutes(1));
        }

        public Settings {
            requireNonNull(source, "source is null");
            requireNonNull(embedded, "embedded is null");
            requireNonNull(changeLogProvider, "changeLogProvider is null");
            requireNonNull(changeLogConfig, "changeLogConfig is null");
            requireNonNull(capture, "capture is null");
            requireNonNull(sync, "sync is null");
            requireNonNull(meters, "meters is null");
            requireNonNull(retention, "retention is null");
            requireNonNull(retentionInterval, "retentionInterval is null");
        }
    }

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final SourceSettings source;
    private final ChangeLog changeLog;
    private final CaptureService capture;
    private final Hub hub;
    private final SyncServer server;
    private final RetentionJob retention;

    private ServerRuntime(Settings settings) {
        try {
            checkPortFree(settings.sync().http());
            source = settings.source().orElseGet(() -> startEmbedded(settings.embedded()));
            log.info("source database: {}", source.redactedUrl());
            changeLog = ChangeLogs.open(settings.changeLogProvider(),
                    settings.changeLogConfig().orElseGet(source::asChangeLogConfig));
            started.push(changeLog);
            ChangeFeed feed = new ChangeFeed();
            Injector injector = Guice.createInjector(
                    new CoreModule(changeLog, feed, settings.meters(), settings.sync()),
                    new CaptureModule(settings.capture(), source),
                    new HubModule(),
                    new HttpModule());
            server = injector.getInstance(SyncServer.class).bind();
            started.push(server);
            capture = injector.getInstance(CaptureService.class);
            capture.start();
            started.push(capture);
            hub = injector.getInstance(Hub.class);
            hub.start();
            started.push(hub);
            server.start();
            // Stop accepting first when closing.
            started.remove(server);
            started.push(server);
            retention = new RetentionJob(changeLog, settings.retention(), settings.retentionInterval(),
                    settings.meters(), Clock.systemUTC()).start();
            started.push(retention);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts everything; on failure stops what was started and rethrows.
     */
    public static ServerRuntime start(Settings settings) {
        return new ServerRuntime(settings);
    }

    /**
     * Fails at once when the endpoint's port is taken, before anything costly starts (the bind before
     * capture starts would fail too, later). Port 0 (any free one) always passes.
     *
     * @throws PortInUseException naming the port and what to do
     */
    public static void checkPortFree(HttpConfig http) {
        if (http.port() == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(http.bindAddress(), http.port()));
        } catch (BindException e) {
            throw new PortInUseException(http.bindAddress(), http.port(), e);
        } catch (IOException e) {
            log.debug("could not probe port {}; the bind will tell", http.port(), e);
        }
    }

    private SourceSettings startEmbedded(EmbeddedPostgresSettings embedded) {
        log.info("no source database given: starting embedded PostgreSQL in {}", embedded.dataDirectory().toAbsolutePath());
        EmbeddedSource postgres = new EmbeddedPostgresStarter().start(embedded);
        started.push(postgres);
        return postgres.settings();
    }

    /** The source database the server captures. */
    public SourceSettings source() {
        return source;
    }

    /** The change log. */
    public ChangeLog changeLog() {
        return changeLog;
    }

    /** The capture service. */
    public CaptureService capture() {
        return capture;
    }

    /** The hub. */
    public Hub hub() {
        return hub;
    }

    /** The retention job (runs every {@code retentionInterval}; tests may run a round with {@link RetentionJob#runOnce()}). */
    public RetentionJob retention() {
        return retention;
    }

    /** The port the sync endpoint listens on. */
    public int port() {
        return server.port();
    }

    /** Stops in reverse order of start: endpoint, hub (flushes progress), capture (confirms the slot), log, PostgreSQL. */
    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", part.getClass().getSimpleName(), e.toString(), e);
            }
        }
    }
}
