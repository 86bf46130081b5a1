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
 * @param node this node's name (slot, host, process), as recorded in the change log when it leads
 * @param leader whether this node leads capture (holds the capture lease)
 * @param leaderNode the node that leads capture as far as this node knows (the change log's record), or
 *     {@code null} when unknown
 */
public record CaptureStatus(State state, String historyId, Lsn confirmedLsn, long changes, long transactions,
                            double changesPerSecond, double transactionsPerSecond, long lagBytes, double lagSeconds,
                            int restarts, String lastError, String node, boolean leader, String leaderNode) {

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
        /**
         * Not capturing: another node leads (holds the capture lease). The node serves clients from the change
         * log and takes over when the lease is free, unless its configuration was refused ({@code lastError}).
         */
        STANDBY,
        /** Closed. */
        STOPPED
    }

    public CaptureStatus {
        requireNonNull(state, "state is null");
        requireNonNull(confirmedLsn, "confirmedLsn is null");
        requireNonNull(node, "node is null");
    }
}
