/** Benchmark commands: each prints a table of figures beside a baseline measured in the same run. */
package dev.tidemark.benchmarks;
