package dev.tidemark.server.runtime;

import static java.util.Objects.requireNonNull;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.util.Modules;
import dev.tidemark.recovery.RetentionPolicy;
import dev.tidemark.server.capture.CaptureModule;
import dev.tidemark.server.capture.CaptureService;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.capture.LeaseSettings;
import dev.tidemark.server.cluster.ClusterModule;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.HttpModule;
import dev.tidemark.server.http.PortInUseException;
import dev.tidemark.server.http.SyncServer;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.Hub;
import dev.tidemark.server.hub.HubModule;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.retention.RetentionJob;
import dev.tidemark.server.retention.RetentionModule;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running server: the change log, capture, the hub and the sync endpoint of one source database, all
 * built by one Guice injector and started and stopped by its {@link Lifecycle} (the order is declared once,
 * in {@code RuntimeModule}). The source database is the caller's: the reference server application starts
 * an embedded PostgreSQL itself when it has none.
 *
 * <p>The endpoint's port is checked before anything starts and bound (not yet accepting) before
 * capture starts, so a taken port fails at once — no slot created — with a {@link PortInUseException}
 * that names the port.
 */
public final class ServerRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerRuntime.class);

    /**
     * What to run.
     *
     * @param source the source PostgreSQL
     * @param changeLogProvider the change log's provider name
     * @param changeLogConfig the change log's own connection, or empty to use the source's
     * @param capture capture settings
     * @param sync endpoint, hub and auth settings
     * @param meters where metrics go (a Prometheus registry is served at {@code /metrics}); one registry per
     *     runtime: its gauges hold this runtime's objects, and a second runtime on the same registry would find
     *     the first one's gauges already registered
     * @param retention how long the change history is kept
     * @param retentionInterval how often the retention job runs
     */
    public record Settings(SourceSettings source, String changeLogProvider, Optional<Map<String, String>> changeLogConfig,
                           CaptureSettings capture, SyncServerConfig sync, MeterRegistry meters,
                           RetentionPolicy retention, Duration retentionInterval) {

        /** Settings with the default retention (see {@link RetentionPolicy#defaults()}), run every minute. */
        public Settings(SourceSettings source, String changeLogProvider, Optional<Map<String, String>> changeLogConfig,
                        CaptureSettings capture, SyncServerConfig sync, MeterRegistry meters) {
            this(source, changeLogProvider, changeLogConfig, capture, sync, meters, RetentionPolicy.defaults(),
                    Duration.ofMinutes(1));
        }

        public Settings {
            requireNonNull(source, "source is null");
            requireNonNull(changeLogProvider, "changeLogProvider is null");
            requireNonNull(changeLogConfig, "changeLogConfig is null");
            requireNonNull(capture, "capture is null");
            requireNonNull(sync, "sync is null");
            requireNonNull(meters, "meters is null");
            requireNonNull(retention, "retention is null");
            requireNonNull(retentionInterval, "retentionInterval is null");
        }
    }

    private final Injector injector;
    private final Lifecycle lifecycle;

    private ServerRuntime(Injector injector, Lifecycle lifecycle) {
        this.injector = injector;
        this.lifecycle = lifecycle;
    }

    /**
     * Starts everything; on failure stops what was started and rethrows.
     */
    public static ServerRuntime start(Settings settings) {
        return start(settings, List.of());
    }

    /**
     * Starts everything with some bindings replaced (for example a {@link Lifecycle.Listener}, a
     * {@code Clock}); on failure stops what was started and rethrows.
     */
    public static ServerRuntime start(Settings settings, List<Module> overrides) {
        checkPortFree(settings.sync().http());
        log.info("source database: {}", settings.source().redactedUrl());
        Injector injector = Guice.createInjector(Modules.override(modules(settings)).with(overrides));
        Lifecycle lifecycle = unwrap(() -> lifecycle(injector));
        lifecycle.start();
        return new ServerRuntime(injector, lifecycle);
    }

    /** The modules of the whole server, one per concern. */
    public static List<Module> modules(Settings settings) {
        return List.of(
                new ChangeLogModule(settings.changeLogProvider(),
                        settings.changeLogConfig().orElseGet(settings.source()::asChangeLogConfig)),
                new CaptureModule(settings.capture(), settings.source(),
                        LeaseSettings.forChangeLog(settings.changeLogConfig(), settings.source())),
                new HubModule(),
                new ClusterModule(),
                new HttpModule(),
                new RetentionModule(settings.retention(), settings.retentionInterval()),
                new RuntimeModule(settings));
    }

    private static Lifecycle lifecycle(Injector injector) {
        ChangeLog changeLog = injector.getInstance(ChangeLog.class);
        try {
            return injector.getInstance(Lifecycle.class);
        } catch (RuntimeException e) {
            changeLog.close();
            throw e;
        }
    }

    /** Guice wraps a provider's failure; callers see the failure itself. */
    private static <T> T unwrap(Supplier<T> provision) {
        try {
            return provision.get();
        } catch (ProvisionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
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

    /** The injector that built the server. */
    public Injector injector() {
        return injector;
    }

    /** The source database the server captures. */
    public SourceSettings source() {
        return injector.getInstance(SourceSettings.class);
    }

    /** The change log. */
    public ChangeLog changeLog() {
        return injector.getInstance(ChangeLog.class);
    }

    /** The capture service. */
    public CaptureService capture() {
        return injector.getInstance(CaptureService.class);
    }

    /** The hub. */
    public Hub hub() {
        return injector.getInstance(Hub.class);
    }

    /** The retention job (runs every {@code retentionInterval}; tests may run a round with {@link RetentionJob#runOnce()}). */
    public RetentionJob retention() {
        return injector.getInstance(RetentionJob.class);
    }

    /** The port the sync endpoint listens on. */
    public int port() {
        return injector.getInstance(SyncServer.class).port();
    }

    /** Stops in reverse order of start: retention, endpoint, hub (flushes progress), capture (confirms the slot), log. */
    @Override
    public void close() {
        lifecycle.stop();
    }
}
