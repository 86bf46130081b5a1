/**
 * The store apply benchmark: {@link dev.tidemark.benchmarks.store.StoreApplyBenchmark} measures how
 * many changes per second each {@code SyncStore} applies, beside plain JDBC batch inserts of the same
 * rows measured in the same run, and prints the ratio.
 */
package dev.tidemark.benchmarks.store;
