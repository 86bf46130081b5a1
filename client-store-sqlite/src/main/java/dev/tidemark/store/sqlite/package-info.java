/** The SQLite {@code SyncStore}, registered as {@code sqlite}. */
package dev.tidemark.store.sqlite;
