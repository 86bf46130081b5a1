/** What PostgreSQL itself says of a benchmark's phases ({@code pg_stat_statements}), on request. */
package dev.tidemark.benchmarks.postgres;
