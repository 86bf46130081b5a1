/**
 * The hub: per-client sessions that stream the change log over the sync endpoint. Catch-up reads the log
 * in keyset pages; live clients are fed from the capture's feed; batches hold whole transactions within
 * size bounds (multi-part beyond them); acks are cumulative within a window; error acks rewind and resend
 * after a backoff; client progress is written in batches. {@link dev.tidemark.server.hub.Hub} is the entry
 * point.
 */
package dev.tidemark.server.hub;
