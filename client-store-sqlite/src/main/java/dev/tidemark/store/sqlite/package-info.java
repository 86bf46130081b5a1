/**
 * The SQLite {@code SyncStore}, registered as {@code sqlite}: one database file in WAL mode, entities
 * as JSON text in one table, the committed LSN, checksum and pending marker in a one-row state table
 * written in the same transaction as the changes. Settings: {@code path} (required),
 * {@code durability} ({@code full}, the default, or {@code normal}), {@code busyTimeoutMs}.
 */
package dev.tidemark.store.sqlite;
