package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.HistoryState;
import java.util.Optional;

/**
 * Decides whether a client may be streamed to from the position it gave: only when its position belongs to
 * the server's history, is not ahead of the capture position, and is still retained in the log.
 */
final class StartDecider {

    private StartDecider() {}

    /**
     * @param historyId the client's history, or {@code null} (a new store, or a legacy client)
     * @param checkHistory whether a {@code null} history id with a non-zero position is a mismatch
     *     (true for v1 clients; legacy clients know no history)
     * @return why the client must resync, or empty when it may continue from {@code lastLsn}
     */
    static Optional<String> resyncReason(HistoryState server, String historyId, Lsn lastLsn, boolean checkHistory) {
        if (historyId != null && !historyId.equals(server.historyId())) {
            return Optional.of("the client's history '" + historyId + "' is not the server's '" + server.historyId()
                    + "': its positions mean nothing here");
        }
        if (checkHistory && historyId == null && !lastLsn.equals(Lsn.ZERO)) {
            return Optional.of("the client is at " + lastLsn + " but names no history");
        }
        if (lastLsn.isAfter(server.capturePosition())) {
            return Optional.of("the client is at " + lastLsn + ", ahead of everything the server has ("
                    + server.capturePosition() + ")");
        }
        if (lastLsn.isBefore(server.retainedFrom())) {
            return Optional.of("the client is at " + lastLsn + ", before the retained history (from "
                    + server.retainedFrom() + ")");
        }
        return Optional.empty();
    }
}
