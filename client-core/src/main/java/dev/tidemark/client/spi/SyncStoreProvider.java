package dev.tidemark.client.spi;

import java.util.Map;

/**
 * Opens {@link SyncStore}s of one kind. Found with {@link java.util.ServiceLoader}: list the
 * implementing class in {@code META-INF/services/dev.tidemark.client.spi.SyncStoreProvider}. It needs
 * a public no-argument constructor and must be cheap to create (lookups instantiate every provider).
 *
 * <p>Applications choose a store by {@link #name()} and pass it settings as text, the way they come
 * from a command line or a properties file; see {@link SyncStores#open(String, Map)}.
 */
public interface SyncStoreProvider {

    /**
     * The store's name, unique among the providers on the class path: lower case,
     * {@code [a-z][a-z0-9_-]*}, such as {@code sqlite} or {@code postgres}.
     */
    String name();

    /**
     * Opens a store, creating or upgrading its schema when needed. Reject settings you do not
     * know (a misspelt key must not be silently ignored); {@link StoreSettings} does that for you.
     *
     * @param config the store's settings, for example {@code path} or {@code jdbcUrl}; never null
     * @return an open store; the caller closes it
     * @throws SyncStoreException {@link StoreErrorCode#INVALID_CONFIG} for bad settings,
     *     {@link StoreErrorCode#UNAVAILABLE} when the storage cannot be reached or created,
     *     {@link StoreErrorCode#INCOMPATIBLE_SCHEMA} when it was written by a newer version; the
     *     message says what to fix
     */
    SyncStore open(Map<String, String> config);
}
