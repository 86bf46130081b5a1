package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;

/**
 * What capture is doing, for status pages and tests.
 *
 * @param state the lifecycle state
 * @param historyId the history being captured, or {@code null} before the first start
 * @param confirmedLsn the last position confirmed to the slot
 * @param changes changes captured since the server started
 * @param transactions transactions captured since the server started
 * @param changesPerSecond over the last measuring interval
 * @param transactionsPerSecond over the last measuring interval
 * @param lagBytes WAL retained by the slot beyond the confirmed position ({@code -1} before the first measurement)
 * @param lagSeconds how far behind the source's commits capture is
 * @param restarts how many times capture restarted after a failure
 * @param lastError the last failure's message, or {@code null}
 */
public record CaptureStatus(State state, String historyId, Lsn confirmedLsn, long changes, long transactions,
                            double changesPerSecond, double transactionsPerSecond, long lagBytes, double lagSeconds,
                            int restarts, String lastError) {

    /** Capture's lifecycle. */
    public enum State {
        /** Not started yet. */
        NEW,
        /** Connecting and preparing. */
        STARTING,
        /** Streaming changes into the change log. */
        STREAMING,
        /** Waiting to restart after a failure. */
        RETRYING,
        /** Closed. */
        STOPPED
    }

    public CaptureStatus {
        requireNonNull(state, "state is null");
        requireNonNull(confirmedLsn, "confirmedLsn is null");
    }
}
