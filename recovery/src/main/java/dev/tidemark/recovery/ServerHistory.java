package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;

/**
 * What the server can serve: its history, the newest position it captured, and the oldest it still
 * retains.
 *
 * @param historyId the server's current history
 * @param capturePosition every transaction up to it is in the change log
 * @param retainedFrom transactions at or before it were trimmed; a client must be at or after it
 */
public record ServerHistory(String historyId, Lsn capturePosition, Lsn retainedFrom) {

    public ServerHistory {
        requireNonNull(historyId, "historyId is null");
        requireNonNull(capturePosition, "capturePosition is null");
        requireNonNull(retainedFrom, "retainedFrom is null");
        if (retainedFrom.isAfter(capturePosition)) {
            throw new IllegalArgumentException("retainedFrom " + retainedFrom + " is after capturePosition " + capturePosition);
        }
    }
}
