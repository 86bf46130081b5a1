package dev.tidemark.client.spi;

import java.util.List;

/**
 * Opens {@link StoreBackend}s of one kind. Found with {@link java.util.ServiceLoader}: list the
 * implementing class in {@code META-INF/services/dev.tidemark.client.spi.SyncStoreProvider}. It needs
 * a public no-argument constructor and must be cheap to create (lookups instantiate every provider).
 *
 * <p>Applications choose a store by {@link #name()} and pass it settings as text, the way they come
 * from a command line or a properties file; {@link SyncStores#open(String, java.util.Map)} checks them
 * against {@link #settings()}, opens the backend and wraps it into the {@link SyncStore} the client
 * uses (which owns the apply rules; see {@link StoreBackend}).
 */
public interface SyncStoreProvider {

    /**
     * The store's name, unique among the providers on the class path: lower case,
     * {@code [a-z][a-z0-9_-]*}, such as {@code sqlite} or {@code postgres}.
     */
    String name();

    /**
     * The settings this store takes: name, type, default, whether required, whether secret, and a
     * description. The one place they are declared: {@link SyncStores#open} rejects unknown keys,
     * missing required ones and values of the wrong type before {@link #open} runs, and help texts
     * list them from here ({@link StoreSetting#helpLine()}).
     */
    List<StoreSetting> settings();

    /**
     * Opens the store's storage, creating or upgrading its schema when needed.
     *
     * @param settings the given settings, already checked against {@link #settings()} (read defaults
     *     from there); {@code toString} shows keys only, never values
     * @param context the client's meter registry, logger name and clock
     * @return the open storage; the core closes it
     * @throws SyncStoreException {@link StoreErrorCode#INVALID_CONFIG} for a bad combination of
     *     settings, {@link StoreErrorCode#UNAVAILABLE} when the storage cannot be reached or created,
     *     {@link StoreErrorCode#INCOMPATIBLE_SCHEMA} when it was written by a newer version; the
     *     message says what to fix
     */
    StoreBackend open(StoreSettings settings, StoreContext context);
}
