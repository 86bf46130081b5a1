package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import dev.tidemark.server.feed.CaptureHealth;
import dev.tidemark.server.feed.SnapshotSource;
import dev.tidemark.server.metrics.MetricsModule;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Guice wiring of capture: binds the settings and provides {@link CaptureService} and
 * {@link CaptureMetrics} as singletons. Needs {@code ChangeLog} and {@code ChangeFeed} (as a
 * singleton) bound elsewhere; the {@link MeterRegistry} comes from the {@link MetricsModule} it installs.
 * The service is not started: call {@link CaptureService#start()}.
 */
public final class CaptureModule extends AbstractModule {

    private final CaptureSettings settings;
    private final SourceSettings source;
    private final LeaseSettings lease;

    /** Capture whose lease is held in the source database (where the change log lives by default). */
    public CaptureModule(CaptureSettings settings, SourceSettings source) {
        this(settings, source, LeaseSettings.on(source));
    }

    /**
     * @param lease where the capture lease is held: the change log's database (see
     *     {@link LeaseSettings#forChangeLog})
     */
    public CaptureModule(CaptureSettings settings, SourceSettings source, LeaseSettings lease) {
        this.settings = requireNonNull(settings, "settings is null");
        this.source = requireNonNull(source, "source is null");
        this.lease = requireNonNull(lease, "lease is null");
    }

    @Override
    protected void configure() {
        bind(CaptureSettings.class).toInstance(settings);
        bind(SourceSettings.class).toInstance(source);
        bind(LeaseSettings.class).toInstance(lease);
        install(new MetricsModule());
        bind(CaptureService.class).in(Singleton.class);
        OptionalBinder.newOptionalBinder(binder(), SnapshotSource.class).setBinding().to(SourceSnapshots.class);
        OptionalBinder.newOptionalBinder(binder(), CaptureHealth.class).setBinding().to(CaptureHealthTracker.class);
    }

    @Provides
    @Singleton
    CaptureHealthTracker captureHealth(MeterRegistry meters) {
        return new CaptureHealthTracker(meters, settings.heartbeatInterval());
    }

    @Provides
    @Singleton
    SourceSnapshots sourceSnapshots(ChangeLog changeLog) {
        return new SourceSnapshots(source, settings.publicationName(), changeLog);
    }

    @Provides
    @Singleton
    CaptureMetrics captureMetrics(MeterRegistry meters) {
        return new CaptureMetrics(meters);
    }
}
