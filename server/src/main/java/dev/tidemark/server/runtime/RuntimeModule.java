package dev.tidemark.server.runtime;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.capture.CaptureService;
import dev.tidemark.server.capture.LeaseSettings;
import dev.tidemark.server.cluster.ChangeLogFollower;
import dev.tidemark.server.cluster.NodeIdentity;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServer;
import dev.tidemark.server.hub.Hub;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.metrics.MetricsModule;
import dev.tidemark.server.retention.RetentionJob;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Binds the runtime's settings and declares, once, the order in which the server starts (and, reversed,
 * stops): the change log; the endpoint's port (bound, not yet accepting, so a taken port fails before
 * capture creates a slot); capture; the hub; the change log follower (the live feed while another node
 * captures); accepting clients; the retention job. Stopping therefore stops the retention job, stops accepting and closes connections, stops the follower, flushes client progress (hub),
 * confirms the slot (capture), then closes the change log.
 */
final class RuntimeModule extends AbstractModule {

    private final ServerRuntime.Settings settings;

    RuntimeModule(ServerRuntime.Settings settings) {
        this.settings = requireNonNull(settings, "settings is null");
    }

    @Override
    protected void configure() {
        install(new MetricsModule());
        OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class).setBinding().toInstance(settings.meters());
        OptionalBinder.newOptionalBinder(binder(), Lifecycle.Listener.class).setDefault().toInstance(Lifecycle.Listener.NONE);
        bind(HttpConfig.class).toInstance(settings.sync().http());
        bind(HubConfig.class).toInstance(settings.sync().hub());
        bind(AuthConfig.class).toInstance(settings.sync().auth());
        bind(NodeIdentity.class).toInstance(NodeIdentity.forThisProcess());
    }

    /** The live feed of this node while another node captures: the change log's append notifications. */
    @Provides
    @Singleton
    ChangeLogFollower follower(LeaseSettings lease, ChangeLog changeLog, ChangeFeed feed, CaptureService capture) {
        return new ChangeLogFollower(lease.database(), changeLog, feed, capture::isLeader,
                ChangeLogFollower.DEFAULT_POLL_INTERVAL);
    }

    @Provides
    @Singleton
    Lifecycle lifecycle(ChangeLog changeLog, SyncServer server, CaptureService capture, Hub hub, RetentionJob retention,
                        ChangeLogFollower follower, Lifecycle.Listener listener) {
        return new Lifecycle(java.util.List.of(
                new Lifecycle.Step("change log", () -> { }, changeLog),
                new Lifecycle.Step("endpoint port", server::bind, server),
                new Lifecycle.Step("capture", capture::start, capture),
                new Lifecycle.Step("hub", hub::start, hub),
                new Lifecycle.Step("change log follower", follower::start, follower),
                new Lifecycle.Step("endpoint", server::start, server),
                new Lifecycle.Step("retention", retention::start, retention)), listener);
    }
}
