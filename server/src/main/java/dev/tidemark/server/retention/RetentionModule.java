package dev.tidemark.server.retention;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.tidemark.recovery.RetentionPolicy;
import dev.tidemark.server.metrics.MetricsModule;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * Guice wiring of the {@link RetentionJob} (not started). Needs bindings of {@link ChangeLog} and {@link Clock}
 * (the {@code HubModule} binds a default clock).
 */
public final class RetentionModule extends AbstractModule {

    private final RetentionPolicy policy;
    private final Duration interval;

    /**
     * @param policy how long history is kept
     * @param interval how often the job runs
     */
    public RetentionModule(RetentionPolicy policy, Duration interval) {
        this.policy = requireNonNull(policy, "policy is null");
        this.interval = requireNonNull(interval, "interval is null");
    }

    @Override
    protected void configure() {
        install(new MetricsModule());
    }

    @Provides
    @Singleton
    RetentionJob retentionJob(ChangeLog changeLog, MeterRegistry meters, Clock clock) {
        return new RetentionJob(changeLog, policy, interval, meters, clock);
    }
}
