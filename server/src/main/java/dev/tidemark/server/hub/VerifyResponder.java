package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.server.spi.HistoryState;

/**
 * Answers {@code sync_verify}: up to date when the client is where the stream stands, changes follow
 * (the stream restarts at the client's position) when that position is within the retained history, resync
 * required otherwise. The recovery work extends this with the checksum comparison.
 */
final class VerifyResponder {

    private VerifyResponder() {}

    /**
     * @param server the change log's state now
     * @param lastLsn the client's committed position
     * @param sent where the last batch sent to the client ended
     */
    static VerifyStatus decide(HistoryState server, Lsn lastLsn, Lsn sent) {
        if (lastLsn.isAfter(server.capturePosition()) || lastLsn.isBefore(server.retainedFrom())) {
            return VerifyStatus.RESYNC_REQUIRED;
        }
        return lastLsn.equals(sent) ? VerifyStatus.UP_TO_DATE : VerifyStatus.CHANGES_FOLLOW;
    }
}
