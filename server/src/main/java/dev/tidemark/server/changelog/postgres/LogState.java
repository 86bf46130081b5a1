package dev.tidemark.server.changelog.postgres;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.HistoryState;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The row of {@code tidemark.history_state}.
 *
 * @param historyId the history
 * @param capturePosition every transaction committed at or before it is in the log
 * @param retainedFrom transactions at or before it were trimmed
 * @param checksumTotal checksum sum through {@code capturePosition}
 * @param trimmedChecksum checksum sum through {@code retainedFrom}
 * @param pending the transaction written in chunks beyond the capture position, or {@code null}
 * @param typeTotals checksum sum of each entity type's changes through {@code capturePosition}
 * @param typeChecksumsKnown false for a history begun before per-type sums were kept (they are unknown)
 */
record LogState(String historyId, Lsn capturePosition, Lsn retainedFrom, long checksumTotal,
                long trimmedChecksum, PendingTransaction pending, SortedMap<String, Long> typeTotals,
                boolean typeChecksumsKnown) {

    LogState {
        requireNonNull(historyId, "historyId is null");
        requireNonNull(capturePosition, "capturePosition is null");
        requireNonNull(retainedFrom, "retainedFrom is null");
        typeTotals = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(typeTotals));
    }

    /** The same state with {@code totals} as the per-type sums. */
    LogState withTypeTotals(Map<String, Long> totals) {
        return new LogState(historyId, capturePosition, retainedFrom, checksumTotal, trimmedChecksum, pending,
                new TreeMap<>(totals), typeChecksumsKnown);
    }

    HistoryState toHistoryState() {
        return new HistoryState(historyId, capturePosition, retainedFrom);
    }
}
