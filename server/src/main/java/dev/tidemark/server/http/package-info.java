/**
 * The HTTP/WebSocket endpoint: {@code /sync} (WebSocket, token auth, legacy query-parameter clients),
 * {@code /healthz}, {@code /readyz}, {@code /metrics}; limits, keep-alive and optional TLS.
 * {@link dev.tidemark.server.http.SyncServer} is the entry point; the pipeline is assembled by
 * {@code SyncChannelInitializer}, one handler per job.
 */
package dev.tidemark.server.http;
