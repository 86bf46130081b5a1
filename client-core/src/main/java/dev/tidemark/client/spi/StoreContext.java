package dev.tidemark.client.spi;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

/**
 * What the client gives a store when it opens it, beside its settings (as Trino's
 * {@code ConnectorFactory.create} gets a context).
 *
 * @param meterRegistry where the store registers its meters (name them {@code tidemark.store.*});
 *     the client's registry, or a private {@link SimpleMeterRegistry} when the application gave none
 * @param loggerName the SLF4J / {@code java.util.logging} logger name to log under, such as
 *     {@code dev.tidemark.store.sqlite}
 * @param clock the clock to read time from (tests pass a fixed one); never {@code System.currentTimeMillis}
 */
public record StoreContext(MeterRegistry meterRegistry, String loggerName, Clock clock) {

    public StoreContext {
        requireNonNull(meterRegistry, "meterRegistry is null");
        requireNonNull(loggerName, "loggerName is null");
        requireNonNull(clock, "clock is null");
    }

    /** A context of its own for store {@code storeName}: a private registry, the UTC system clock. */
    public static StoreContext standalone(String storeName) {
        return new StoreContext(new SimpleMeterRegistry(), "dev.tidemark.store." + storeName, Clock.systemUTC());
    }
}
