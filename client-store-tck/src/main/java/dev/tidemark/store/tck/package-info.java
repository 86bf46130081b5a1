/**
 * The conformance kit every {@code SyncStore} plugin passes: extend
 * {@link dev.tidemark.store.tck.SyncStoreConformanceKit} in a test, name your store and give it
 * settings for a fresh store, and the kit checks the whole storage contract — atomic apply under
 * injected failures, duplicate and gap batches, merge, delete and truncate, the pending marker,
 * history and metadata, reopening, readers running beside an apply (the position and the data seen
 * together, {@code forEach} as one view), entity types and ids matched exactly, a batch larger than
 * a small JVM's heap, storage from a newer version, and durability across a {@code kill -9} of a
 * separate JVM. {@link dev.tidemark.store.tck.SyncStoreConformanceKit} says what the kit does to a
 * store (second JVMs, how settings reach them, what "durable" it can test).
 */
package dev.tidemark.store.tck;
