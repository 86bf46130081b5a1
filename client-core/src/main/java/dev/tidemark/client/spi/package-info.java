/**
 * The storage SPI: implement {@code SyncStoreProvider} and {@code SyncStore} to keep synced data in
 * a store of your own. Depends only on the JDK and {@code dev.tidemark.protocol}.
 */
package dev.tidemark.client.spi;
