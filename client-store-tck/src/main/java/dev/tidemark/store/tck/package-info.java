/**
 * The conformance kit every {@code SyncStore} plugin passes: extend
 * {@link dev.tidemark.store.tck.SyncStoreConformanceKit} in a test, name your store and give it
 * settings for a fresh store, and the kit checks the whole storage contract — atomic apply under
 * injected failures, duplicate and gap batches, merge, delete and truncate, the pending marker,
 * history and metadata, reopening, readers running beside an apply, and durability across a
 * {@code kill -9} of a separate JVM.
 */
package dev.tidemark.store.tck;
