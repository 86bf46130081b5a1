package dev.tidemark.client.spi;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Finds {@link SyncStoreProvider}s by name with {@link ServiceLoader}. Every lookup reads the class
 * path afresh (nothing is cached) and checks it: a broken registry — two providers claiming one name,
 * an invalid name — fails loudly instead of picking one at random.
 */
public final class SyncStores {

    /** What a store name looks like: lower case, {@code [a-z][a-z0-9_-]*}. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]*");

    private SyncStores() {}

    /**
     * Opens the store named {@code name} with the context class loader's providers.
     *
     * @throws SyncStoreException {@link StoreErrorCode#UNKNOWN_STORE} listing the available names
     *     when no provider has that name; {@link StoreErrorCode#INVALID_PROVIDER} when the class path
     *     holds a broken provider; whatever {@link SyncStoreProvider#open} throws
     */
    public static SyncStore open(String name, Map<String, String> config) {
        return open(name, config, defaultLoader());
    }

    /** Opens the store named {@code name} with the providers {@code loader} sees. */
    public static SyncStore open(String name, Map<String, String> config, ClassLoader loader) {
        return open(name, config, StoreContext.standalone(String.valueOf(name)), loader);
    }

    /** Opens the store named {@code name} with the context class loader's providers, in {@code context}. */
    public static SyncStore open(String name, Map<String, String> config, StoreContext context) {
        return open(name, config, context, defaultLoader());
    }

    /**
     * Opens the store named {@code name} with the providers {@code loader} sees: checks {@code config}
     * against the provider's {@link SyncStoreProvider#settings()}, opens its {@link StoreBackend} and
     * wraps it into the {@link SyncStore} that owns the apply rules.
     */
    public static SyncStore open(String name, Map<String, String> config, StoreContext context, ClassLoader loader) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        SyncStoreProvider provider = provider(name, loader);
        // StoreSettings rejects null keys and values with a message naming the store and the key
        StoreSettings settings = StoreSettings.declared(name, config, provider.settings());
        return of(name, provider.open(settings, context));
    }

    /**
     * The {@link SyncStore} over an open backend, as {@link #open} makes it: for tests and for
     * applications that build a backend themselves. The store closes the backend.
     */
    public static SyncStore of(String name, StoreBackend backend) {
        return new BackedSyncStore(name, backend);
    }

    /**
     * Help text for the store named {@code name}: one line per declared setting
     * ({@link StoreSetting#helpLine()}).
     */
    public static List<String> settingsHelp(String name) {
        return provider(name, defaultLoader()).settings().stream().map(StoreSetting::helpLine).toList();
    }

    /** The provider named {@code name}, from the context class loader. */
    public static SyncStoreProvider provider(String name) {
        return provider(name, defaultLoader());
    }

    /** The provider named {@code name}, from {@code loader}. */
    public static SyncStoreProvider provider(String name, ClassLoader loader) {
        requireNonNull(name, "name is null");
        Map<String, SyncStoreProvider> providers = load(loader);
        SyncStoreProvider provider = providers.get(name);
        if (provider == null) {
            String problem = NAME.matcher(name).matches()
                    ? "no store named '" + name + "' is on the class path"
                    : "'" + name + "' is not a store name (lower case, [a-z][a-z0-9_-]*)";
            throw new SyncStoreException(StoreErrorCode.UNKNOWN_STORE, problem + "; available: "
                    + (providers.isEmpty() ? "none" : String.join(", ", providers.keySet()))
                    + ". Add the store's artifact (such as tidemark-client-store-sqlite) to the class"
                    + " path, or use one of the available names.");
        }
        return provider;
    }

    /** The names of every store on the context class loader's class path, sorted. */
    public static SortedSet<String> available() {
        return available(defaultLoader());
    }

    /** The names of every store {@code loader} sees, sorted. */
    public static SortedSet<String> available(ClassLoader loader) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(load(loader).keySet()));
    }

    private static Map<String, SyncStoreProvider> load(ClassLoader loader) {
        requireNonNull(loader, "loader is null");
        TreeMap<String, SyncStoreProvider> byName = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        try {
            for (SyncStoreProvider provider : ServiceLoader.load(SyncStoreProvider.class, loader)) {
                String name = provider.name();
                String type = provider.getClass().getName();
                if (name == null || !NAME.matcher(name).matches()) {
                    problems.add(type + " has the invalid name '" + name + "' (needs [a-z][a-z0-9_-]*)");
                    continue;
                }
                SyncStoreProvider earlier = byName.putIfAbsent(name, provider);
                if (earlier != null) {
                    problems.add("both " + earlier.getClass().getName() + " and " + type
                            + " claim the name '" + name + "'");
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new SyncStoreException(StoreErrorCode.INVALID_PROVIDER,
                    "a SyncStoreProvider on the class path cannot be loaded: " + e.getMessage()
                            + ". Fix or remove that plugin.", e);
        }
        if (!problems.isEmpty()) {
            throw new SyncStoreException(StoreErrorCode.INVALID_PROVIDER,
                    "the SyncStoreProviders on the class path are in conflict: " + String.join("; ", problems)
                            + ". Remove one of the plugins, or fix its name.");
        }
        return byName;
    }

    private static ClassLoader defaultLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : SyncStores.class.getClassLoader();
    }
}
