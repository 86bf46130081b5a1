/** The PostgreSQL {@code SyncStore}, registered as {@code postgres}. */
package dev.tidemark.store.postgres;
