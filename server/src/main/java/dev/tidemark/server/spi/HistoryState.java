package dev.tidemark.server.spi;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;

/**
 * What a change log holds: which history, up to where, and from where.
 *
 * @param historyId the history the log's positions belong to
 * @param capturePosition every transaction that committed at or before it is in the log, and
 *     readers see nothing after it
 * @param retainedFrom transactions after this position are retained; a client at an earlier
 *     position cannot be served from the log and must resync ({@code 0/0} when nothing was trimmed)
 */
public record HistoryState(String historyId, Lsn capturePosition, Lsn retainedFrom) {

    public HistoryState {
        requireNonNull(historyId, "historyId is null");
        requireNonNull(capturePosition, "capturePosition is null");
        requireNonNull(retainedFrom, "retainedFrom is null");
    }
}
