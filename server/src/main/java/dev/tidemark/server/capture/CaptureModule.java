package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import dev.tidemark.server.feed.CaptureHealth;
import dev.tidemark.server.hub.SnapshotSource;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;

/**
 * Guice wiring of capture: binds the settings and provides {@link CaptureService} and
 * {@link CaptureMetrics} as singletons. Needs {@code ChangeLog} and {@code ChangeFeed} (as a
 * singleton) bound elsewhere; uses a bound {@link MeterRegistry} when there is one (set it through
 * {@code OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class).setBinding()}), otherwise a
 * private {@link SimpleMeterRegistry}. The service is not started: call {@link CaptureService#start()}.
 */
public final class CaptureModule extends AbstractModule {

    private final CaptureSettings settings;
    private final SourceSettings source;

    public CaptureModule(CaptureSettings settings, SourceSettings source) {
        this.settings = requireNonNull(settings, "settings is null");
        this.source = requireNonNull(source, "source is null");
    }

    @Override
    protected void configure() {
        bind(CaptureSettings.class).toInstance(settings);
        bind(SourceSettings.class).toInstance(source);
        OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class);
        bind(CaptureService.class).in(Singleton.class);
        OptionalBinder.newOptionalBinder(binder(), SnapshotSource.class).setBinding().to(SourceSnapshots.class);
        OptionalBinder.newOptionalBinder(binder(), CaptureHealth.class).setBinding().to(CaptureHealthTracker.class);
    }

    @Provides
    @Singleton
    CaptureHealthTracker captureHealth(Optional<MeterRegistry> registry, CaptureMetrics metrics) {
        return new CaptureHealthTracker(registry.orElseGet(metrics::registry));
    }

    @Provides
    @Singleton
    SourceSnapshots sourceSnapshots(ChangeLog changeLog) {
        return new SourceSnapshots(source, settings.publicationName(), changeLog);
    }

    @Provides
    @Singleton
    CaptureMetrics captureMetrics(Optional<MeterRegistry> registry) {
        return new CaptureMetrics(registry.orElseGet(SimpleMeterRegistry::new));
    }
}
