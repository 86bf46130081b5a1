/**
 * The storage SPI: implement {@link dev.tidemark.client.spi.SyncStoreProvider} and
 * {@link dev.tidemark.client.spi.SyncStore} to keep synced data in a store of your own.
 *
 * <p>This package depends only on the JDK and {@code dev.tidemark.protocol}; a plugin needs nothing
 * else from Tidemark. Register a provider in
 * {@code META-INF/services/dev.tidemark.client.spi.SyncStoreProvider}; the client finds it by name
 * with {@link dev.tidemark.client.spi.SyncStores}. Prove a plugin correct by extending the
 * conformance kit {@code dev.tidemark.store.tck.SyncStoreConformanceKit} in its tests
 * (artifact {@code tidemark-client-store-tck}).
 *
 * <p>The contract in one sentence: {@link dev.tidemark.client.spi.SyncStore#apply} applies every
 * change of a batch and moves the committed LSN to the batch's LSN in one atomic, durable step, or
 * changes nothing at all.
 */
package dev.tidemark.client.spi;
