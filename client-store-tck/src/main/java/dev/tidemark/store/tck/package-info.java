/** The conformance kit every {@code SyncStore} plugin extends in its tests. */
package dev.tidemark.store.tck;
