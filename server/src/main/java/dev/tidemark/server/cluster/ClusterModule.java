package dev.tidemark.server.cluster;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import dev.tidemark.server.capture.LeaseSettings;
import dev.tidemark.server.hub.ClusterState;
import dev.tidemark.server.hub.HubConfig;

/**
 * Guice wiring of the hub state the nodes share ({@link PostgresClusterState}, in the change log's database, which
 * {@link LeaseSettings#database()} names). Needs bindings of {@link LeaseSettings}, {@link NodeIdentity} and
 * {@link HubConfig}; the hub starts and closes it.
 */
public final class ClusterModule extends AbstractModule {

    @Override
    protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), ClusterState.class).setBinding().to(PostgresClusterState.class);
    }

    @Provides
    @Singleton
    PostgresClusterState clusterState(LeaseSettings lease, NodeIdentity node, HubConfig config) {
        return new PostgresClusterState(lease.database(), node, config, PostgresClusterState.DEFAULT_CHECK_INTERVAL);
    }
}
