/**
 * The PostgreSQL {@code SyncStore}, registered as {@code postgres}: entities as {@code jsonb} in a
 * schema of the user's (default {@code tidemark_client}), merged with {@code INSERT ... ON CONFLICT}
 * and {@code ||}, the committed LSN, checksum and pending marker in a one-row state table written in
 * the same transaction. Connections come from HikariCP; the schema is created and upgraded by
 * versioned migrations. Settings: {@code jdbcUrl} (required), {@code user}, {@code password},
 * {@code schema}, {@code poolSize}, {@code durability}.
 */
package dev.tidemark.store.postgres;
