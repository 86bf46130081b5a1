package dev.tidemark.server.runtime;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.OptionalBinder;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What every other module of the server shares: the change log (opened through its provider), the
 * live feed, the meter registry and the endpoint's settings.
 */
final class CoreModule extends AbstractModule {

    private final ChangeLog changeLog;
    private final ChangeFeed feed;
    private final MeterRegistry meters;
    private final SyncServerConfig sync;

    CoreModule(ChangeLog changeLog, ChangeFeed feed, MeterRegistry meters, SyncServerConfig sync) {
        this.changeLog = requireNonNull(changeLog, "changeLog is null");
        this.feed = requireNonNull(feed, "feed is null");
        this.meters = requireNonNull(meters, "meters is null");
        this.sync = requireNonNull(sync, "sync is null");
    }

    @Override
    protected void configure() {
        bind(ChangeLog.class).toInstance(changeLog);
        bind(ChangeFeed.class).toInstance(feed);
        OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class).setBinding().toInstance(meters);
        bind(HttpConfig.class).toInstance(sync.http());
        bind(HubConfig.class).toInstance(sync.hub());
        bind(AuthConfig.class).toInstance(sync.auth());
    }
}
