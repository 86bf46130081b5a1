package dev.tidemark.server.hub;

import dev.tidemark.server.feed.SnapshotSource;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import dev.tidemark.server.feed.CaptureHealth;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.metrics.MetricsModule;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;

/**
 * Guice wiring of the {@link Hub}. Needs bindings of {@link HubConfig}, {@link ChangeLog}, {@link ChangeFeed}
 * ({@link MeterRegistry} comes from the {@link MetricsModule} it installs); {@link Clock} defaults to
 * UTC. A binding of {@link ClusterState} (several nodes) is optional; without one the hub keeps that state in
 * memory. The hub is a singleton; whoever runs the server calls {@link Hub#start()} and {@link Hub#close()}.
 */
public final class HubModule extends AbstractModule {

    @Override
    protected void configure() {
        install(new MetricsModule());
        OptionalBinder.newOptionalBinder(binder(), Clock.class).setDefault().toInstance(Clock.systemUTC());
        OptionalBinder.newOptionalBinder(binder(), SnapshotSource.class);
        OptionalBinder.newOptionalBinder(binder(), CaptureHealth.class);
        OptionalBinder.newOptionalBinder(binder(), ClusterState.class);
    }

    @Provides
    @Singleton
    Hub hub(HubConfig config, ChangeLog changeLog, ChangeFeed feed, MeterRegistry meters, Clock clock,
            Optional<SnapshotSource> snapshots, Optional<CaptureHealth> health, Optional<ClusterState> cluster) {
        return new Hub(config, changeLog, feed, meters, clock, snapshots, health.orElse(CaptureHealth.COMPLETE),
                cluster);
    }
}
