/**
 * Lag under an outside workload: pgbench's TPC-B against the real system, the client's lag behind the source
 * sampled from the source's WAL position ({@code ./tidemark bench --only tpcb}).
 */
package dev.tidemark.benchmarks.tpcb;
