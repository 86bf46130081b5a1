/**
 * An example {@code SyncStore} plugin: entities kept in memory, made durable by a journal file that
 * records every step and is replayed on open. Small on purpose — read it as a template for your own
 * store; see {@code docs/writing-a-store.md}.
 */
package dev.tidemark.examples.memorystore;
