package dev.tidemark.server.spi;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Finds {@link ChangeLogProvider}s on the class path with {@link ServiceLoader}. */
public final class ChangeLogs {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]*");

    private ChangeLogs() {}

    /** Every provider by name. */
    public static Map<String, ChangeLogProvider> available() {
        Map<String, ChangeLogProvider> providers = new TreeMap<>();
        for (ChangeLogProvider provider : ServiceLoader.load(ChangeLogProvider.class)) {
            String name = provider.name();
            if (name == null || !NAME.matcher(name).matches()) {
                throw new ChangeLogException("change-log provider " + provider.getClass().getName()
                        + " has an invalid name '" + name + "': use [a-z][a-z0-9_-]*");
            }
            ChangeLogProvider previous = providers.putIfAbsent(name, provider);
            if (previous != null) {
                throw new ChangeLogException("two change-log providers claim the name '" + name + "': "
                        + previous.getClass().getName() + " and " + provider.getClass().getName()
                        + "; remove one from the class path");
            }
        }
        return providers;
    }

    /**
     * Opens the change log of the provider named {@code name}.
     *
     * @throws ChangeLogException when no provider has that name (the message lists those that exist)
     *     or the log cannot be opened
     */
    public static ChangeLog open(String name, Map<String, String> config) {
        return provider(name).open(config);
    }

    /**
     * Opens the change log of the provider named {@code name} for reading only: nothing is created or upgraded
     * ({@link ChangeLogProvider#openForReading}).
     *
     * @throws ChangeLogException when no provider has that name or the log cannot be opened as it is
     */
    public static ChangeLog openForReading(String name, Map<String, String> config) {
        return provider(name).openForReading(config);
    }

    private static ChangeLogProvider provider(String name) {
        Map<String, ChangeLogProvider> providers = available();
        ChangeLogProvider provider = providers.get(name);
        if (provider == null) {
            throw new ChangeLogException("no change-log provider is named '" + name + "'; available: "
                    + (providers.isEmpty() ? "none (is tidemark-server on the class path?)" : providers.keySet()));
        }
        return provider;
    }
}
