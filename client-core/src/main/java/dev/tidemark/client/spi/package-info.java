/**
 * The storage SPI (v2): implement {@link dev.tidemark.client.spi.SyncStoreProvider} and
 * {@link dev.tidemark.client.spi.StoreBackend} (with its {@link dev.tidemark.client.spi.BatchTransaction})
 * to keep synced data in a store of your own. The client core wraps the backend into the
 * {@link dev.tidemark.client.spi.SyncStore} the client uses, and owns the rules every store shares.
 *
 * <p>This package depends only on the JDK, {@code dev.tidemark.protocol} and Micrometer's meter
 * registry ({@link dev.tidemark.client.spi.StoreContext}); a plugin needs nothing else from Tidemark.
 * Register a provider in {@code META-INF/services/dev.tidemark.client.spi.SyncStoreProvider}; the
 * client finds it by name with {@link dev.tidemark.client.spi.SyncStores}. Prove a plugin correct by
 * extending the conformance kit {@code dev.tidemark.store.tck.SyncStoreConformanceKit} in its tests
 * (artifact {@code tidemark-client-store-tck}).
 *
 * <p>The contract in one sentence: {@link dev.tidemark.client.spi.BatchTransaction#commit} makes a
 * batch's changes, its position and the cleared pending marker durable in one atomic step, and
 * nothing of the batch is visible or survives before it.
 */
package dev.tidemark.client.spi;
