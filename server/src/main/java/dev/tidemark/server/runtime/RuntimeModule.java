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
import dev.tidemark.server.cluster.NodeLiveLag;
import dev.tidemark.server.cluster.NodeRegistry;
import dev.tidemark.server.cluster.NodeReport;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServer;
import dev.tidemark.server.hub.Hub;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.metrics.MetricsModule;
import dev.tidemark.server.metrics.NodeMetrics;
import dev.tidemark.server.retention.RetentionJob;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.TreeSet;

/**
 * Binds the runtime's settings and declares, once, the order in which the server starts (and, reversed,
 * stops): the change log; the endpoint's port (bound, not yet accepting, so a taken port fails before
 * capture creates a slot); capture; the hub; the change log follower (the live feed while another node
 * captures); the node's live lag; accepting clients; the node's row in the change log's node table (its heartbeat);
 * the retention job. Stopping therefore stops the retention job, removes the node's row, stops accepting and
 * closes connections, stops the follower, flushes client progress (hub), confirms the slot (capture), then closes
 * the change log.
 */
final class RuntimeModule extends AbstractModule {

    /** The sync endpoint's path (the endpoint's own constant is internal to its package). */
    private static final String SYNC_PATH = "/sync";

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
        NodeIdentity node = NodeIdentity.forThisProcess();
        bind(NodeIdentity.class).toInstance(node);
        bindConstant().annotatedWith(com.google.inject.name.Names.named(
                dev.tidemark.server.capture.CaptureService.NODE_NAME)).to(node.name());
        bind(NodeRegistry.Timing.class).toInstance(NodeRegistry.Timing.DEFAULT);
    }

    /** The live lag of this node's feed against the change log (measured on each node heartbeat). */
    @Provides
    @Singleton
    NodeLiveLag liveLag(ChangeLog changeLog, ChangeFeed feed) {
        return new NodeLiveLag(changeLog, feed);
    }

    /** This node's row in the change log's node table, and its per-node meters. */
    @Provides
    @Singleton
    NodeRegistry nodes(LeaseSettings lease, NodeIdentity node, NodeRegistry.Timing timing, HttpConfig http,
                       SyncServer server, Hub hub, CaptureService capture, NodeLiveLag lag, MeterRegistry meters) {
        NodeMetrics.register(meters, node.name(), hub::sessionCount, lag::lastBytes);
        return new NodeRegistry(lease.database(), node, () -> nodeUrl(http, server.port()), timing,
                () -> new NodeReport(capture.isLeader(), List.copyOf(new TreeSet<>(hub.clientIds())),
                        lag.measureBytes()));
    }

    /**
     * Where clients reach this node: {@code ws://} (or {@code wss://} with TLS), the bind address unless it is a
     * wildcard (then this host's name), the bound port and the sync endpoint's path.
     */
    static String nodeUrl(HttpConfig http, int port) {
        String host = http.bindAddress();
        if (host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return (http.tlsEnabled() ? "wss://" : "ws://") + host + ":" + port + SYNC_PATH;
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
                        ChangeLogFollower follower, NodeLiveLag lag, NodeRegistry nodes, Lifecycle.Listener listener) {
        return new Lifecycle(List.of(
                new Lifecycle.Step("change log", () -> { }, changeLog),
                new Lifecycle.Step("endpoint port", server::bind, server),
                new Lifecycle.Step("capture", capture::start, capture),
                new Lifecycle.Step("hub", hub::start, hub),
                new Lifecycle.Step("change log follower", follower::start, follower),
                new Lifecycle.Step("node live lag", lag::start, lag),
                new Lifecycle.Step("endpoint", server::start, server),
                new Lifecycle.Step("node registry", nodes::start, nodes),
                new Lifecycle.Step("retention", retention::start, retention)), listener);
    }
}
