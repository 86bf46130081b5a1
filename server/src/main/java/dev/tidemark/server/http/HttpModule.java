package dev.tidemark.server.http;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.AuthModule;
import dev.tidemark.server.auth.Authenticator;
import dev.tidemark.server.hub.Hub;
import dev.tidemark.server.metrics.MetricsModule;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Guice wiring of the endpoint: {@link SyncServer}, with the {@link AuthModule} and {@link MetricsModule} it
 * needs. Needs bindings of {@link HttpConfig} and {@link AuthConfig}, and the {@code HubModule}. The server is
 * not bound or started: whoever runs it calls {@link SyncServer#bind()}, {@link SyncServer#start()} and
 * {@link SyncServer#close()}.
 */
public final class HttpModule extends AbstractModule {

    @Override
    protected void configure() {
        install(new MetricsModule());
        install(new AuthModule());
    }

    @Provides
    @Singleton
    SyncServer syncServer(HttpConfig config, Hub hub, Authenticator authenticator, MeterRegistry meters) {
        return new SyncServer(config, hub, authenticator, meters);
    }
}
