package dev.tidemark.server.changelog.postgres;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.HistoryState;

/**
 * The row of {@code tidemark.history_state}.
 *
 * @param historyId the history
 * @param capturePosition every transaction committed at or before it is in the log
 * @param retainedFrom transactions at or before it were trimmed
 * @param checksumTotal checksum sum through {@code capturePosition}
 * @param trimmedChecksum checksum sum through {@code retainedFrom}
 * @param pending the transaction written in chunks beyond the capture position, or {@code null}
 */
record LogState(String historyId, Lsn capturePosition, Lsn retainedFrom, long checksumTotal,
                long trimmedChecksum, PendingTransaction pending) {

    LogState {
        requireNonNull(historyId, "historyId is null");
        requireNonNull(capturePosition, "capturePosition is null");
        requireNonNull(retainedFrom, "retainedFrom is null");
    }

    HistoryState toHistoryState() {
        return new HistoryState(historyId, capturePosition, retainedFrom);
    }
}
