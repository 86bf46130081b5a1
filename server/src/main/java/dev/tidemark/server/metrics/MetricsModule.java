package dev.tidemark.server.metrics;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.OptionalBinder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The server's one {@link MeterRegistry}: a {@link PrometheusMeterRegistry} (served at {@code /metrics}) unless
 * overridden with {@code OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class).setBinding()}.
 * Every module that needs the registry installs this one; Guice installs it once (equal modules are one).
 */
public final class MetricsModule extends AbstractModule {

    @Override
    protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class).setDefault()
                .toProvider(() -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .in(com.google.inject.Singleton.class);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MetricsModule;
    }

    @Override
    public int hashCode() {
        return MetricsModule.class.hashCode();
    }
}
