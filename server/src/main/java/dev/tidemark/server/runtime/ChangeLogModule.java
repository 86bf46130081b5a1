package dev.tidemark.server.runtime;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogs;
import java.util.Map;

/**
 * Guice wiring of the change log (opened through its provider when first needed) and of the live
 * {@link ChangeFeed} between capture and the hub. Whoever runs the server closes the change log.
 */
public final class ChangeLogModule extends AbstractModule {

    private final String provider;
    private final Map<String, String> config;

    /**
     * @param provider the {@code ChangeLogProvider} name
     * @param config the provider's configuration (its connection)
     */
    public ChangeLogModule(String provider, Map<String, String> config) {
        this.provider = requireNonNull(provider, "provider is null");
        this.config = Map.copyOf(requireNonNull(config, "config is null"));
    }

    @Override
    protected void configure() {
        bind(ChangeFeed.class).in(Singleton.class);
    }

    @Provides
    @Singleton
    ChangeLog changeLog() {
        return ChangeLogs.open(provider, config);
    }
}
