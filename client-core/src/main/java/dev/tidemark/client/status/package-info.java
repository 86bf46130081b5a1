/**
 * What a Tidemark client reports: its {@link dev.tidemark.client.status.ClientState} and
 * {@link dev.tidemark.client.status.SyncStatus}, the {@link dev.tidemark.client.status.SyncError}s it handled, the
 * batches it applied, and the {@link dev.tidemark.client.status.SyncListener} that hears them. The client's engine
 * reports in these types directly; {@code dev.tidemark.client} builds and runs a client.
 */
package dev.tidemark.client.status;
