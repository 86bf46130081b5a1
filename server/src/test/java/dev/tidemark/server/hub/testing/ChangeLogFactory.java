package dev.tidemark.server.hub.testing;

import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogProvider;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Where hub tests get their change log: the {@link InMemoryChangeLog}, unless the system property
 * {@code tidemark.test.changelog} names a {@link ChangeLogProvider} (e.g. {@code postgres}); that provider
 * then opens the log with every {@code tidemark.test.changelog.KEY=VALUE} system property as {@code KEY}.
 * Every test starts its own history, which forgets the previous one.
 */
public final class ChangeLogFactory {

    public static final String PROPERTY = "tidemark.test.changelog";

    private ChangeLogFactory() {}

    public static ChangeLog open() {
        String name = System.getProperty(PROPERTY);
        if (name == null || name.isBlank() || name.equals("memory")) {
            return new InMemoryChangeLog();
        }
        Map<String, String> config = new HashMap<>();
        String prefix = PROPERTY + ".";
        System.getProperties().stringPropertyNames().stream().filter(key -> key.startsWith(prefix))
                .forEach(key -> config.put(key.substring(prefix.length()), System.getProperty(key)));
        for (ChangeLogProvider provider : ServiceLoader.load(ChangeLogProvider.class)) {
            if (provider.name().equals(name)) {
                return provider.open(config);
            }
        }
        throw new IllegalStateException("no change-log provider named '" + name + "' on the test class path");
    }
}
