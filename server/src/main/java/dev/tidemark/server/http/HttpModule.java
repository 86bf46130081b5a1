package dev.tidemark.server.http;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.Authenticator;
import dev.tidemark.server.hub.Hub;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;

/**
 * Guice wiring of the endpoint: {@link SyncServer} and its {@link Authenticator}. Needs bindings of
 * {@link HttpConfig} and {@link AuthConfig}, and the {@code HubModule}. {@link MeterRegistry} defaults to a
 * {@link PrometheusMeterRegistry} (served at {@code /metrics}); override it with
 * {@code OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class).setBinding()}.
 */
public final class HttpModule extends AbstractModule {

    @Override
    protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class).setDefault()
                .toInstance(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    @Provides
    @Singleton
    Authenticator authenticator(AuthConfig config, Clock clock) {
        return new Authenticator(config, clock);
    }

    @Provides
    @Singleton
    SyncServer syncServer(HttpConfig config, Hub hub, Authenticator authenticator, MeterRegistry meters) {
        return new SyncServer(config, hub, authenticator, meters);
    }
}
