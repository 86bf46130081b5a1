package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;

/**
 * A snapshot of one session, for tests, monitoring and benchmarks.
 *
 * @param clientId the client
 * @param state the session's state ({@code STREAMING}, {@code RESYNC_REQUIRED}, ...)
 * @param acked the last acknowledged position (for a client without acks: the last sent)
 * @param sent where the last completely sent batch ended
 * @param readPos every transaction up to it was consumed from the log or the live tail
 * @param unackedBatches batches sent and not acknowledged
 * @param pendingMessages messages assembled and waiting to be written
 * @param pendingOutboundBytes bytes written to the connection but not yet to the socket
 * @param epoch how many times the stream was rewound
 */
public record SessionStats(String clientId, String state, Lsn acked, Lsn sent, Lsn readPos, int unackedBatches,
                           int pendingMessages, long pendingOutboundBytes, int epoch) {}
