package dev.tidemark.server.hub;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Settings of the hub: flow control, batch bounds, resends, progress writes, the live buffer.
 *
 * @param window most unacknowledged batches sent ahead to a client that acks (a multi-part batch
 *     counts as one)
 * @param batchMaxChanges most changes in one {@code changes} message
 * @param batchMaxBytes most estimated bytes of change data in one {@code changes} message; a
 *     transaction over either bound travels in parts
 * @param resendBackoff wait before resending after the first {@code sync_ack} error; doubles with each
 *     further error in a row
 * @param resendBackoffMax the longest wait before a resend
 * @param resendRetryLimit error acks in a row after which the server gives up on the connection
 * @param progressFlushInterval how often client progress is written to the change log
 * @param emptyBatchInterval a client that received nothing for this long while the log moved on gets an
 *     empty batch that only moves its position
 * @param liveBufferBytes most estimated bytes of recent captured ranges kept in memory for live clients
 * @param readerThreads threads that read the change log for clients catching up
 * @param historyCheckInterval how often the change log's history is checked (readiness, new history)
 * @param verifyInterval a client may send one {@code sync_verify} per this interval; more are answered
 *     {@code error rate_limited}
 * @param resyncRatePerSecond resync snapshots started per second, sustained
 * @param resyncBurst resync snapshots that may start at once
 * @param resyncJitter the fraction (0 to 1) by which the retry time given to a waiting client is spread
 * @param aheadStallTimeout how long parts of a large transaction sent ahead of capture may wait for its next chunk
 *     or its end before the stream is closed (1011), so that a capture stopped mid-transaction does not keep a
 *     client's store transaction (and a source verify) open for good
 */
public record HubConfig(int window, int batchMaxChanges, long batchMaxBytes, Duration resendBackoff,
                        Duration resendBackoffMax, int resendRetryLimit, Duration progressFlushInterval,
                        Duration emptyBatchInterval, long liveBufferBytes, int readerThreads,
                        Duration historyCheckInterval, Duration verifyInterval, double resyncRatePerSecond,
                        int resyncBurst, double resyncJitter, Duration aheadStallTimeout) {

    public HubConfig {
        positive(window, "window");
        positive(batchMaxChanges, "batchMaxChanges");
        if (batchMaxBytes < 1024) {
            throw new IllegalArgumentException("batchMaxBytes must be at least 1024, got " + batchMaxBytes);
        }
        positive(resendBackoff, "resendBackoff");
        positive(aheadStallTimeout, "aheadStallTimeout");
        positive(resendBackoffMax, "resendBackoffMax");
        if (resendBackoffMax.compareTo(resendBackoff) < 0) {
            throw new IllegalArgumentException("resendBackoffMax (" + resendBackoffMax
                    + ") is shorter than resendBackoff (" + resendBackoff + ")");
        }
        positive(resendRetryLimit, "resendRetryLimit");
        positive(progressFlushInterval, "progressFlushInterval");
        positive(emptyBatchInterval, "emptyBatchInterval");
        if (liveBufferBytes < 0) {
            throw new IllegalArgumentException("liveBufferBytes must not be negative, got " + liveBufferBytes);
        }
        positive(readerThreads, "readerThreads");
        positive(historyCheckInterval, "historyCheckInterval");
        requireNonNull(verifyInterval, "verifyInterval is null");
        if (verifyInterval.isNegative()) {
            throw new IllegalArgumentException("verifyInterval must not be negative, got " + verifyInterval);
        }
        if (!(resyncRatePerSecond > 0)) {
            throw new IllegalArgumentException("resyncRatePerSecond must be above 0, got " + resyncRatePerSecond);
        }
        positive(resyncBurst, "resyncBurst");
        if (!(resyncJitter >= 0 && resyncJitter <= 1)) {
            throw new IllegalArgumentException("resyncJitter must be between 0 and 1, got " + resyncJitter);
        }
    }

    private static void positive(long value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    private static void positive(Duration value, String name) {
        requireNonNull(value, name + " is null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /** The defaults. */
    public static HubConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .window(window).batchMaxChanges(batchMaxChanges).batchMaxBytes(batchMaxBytes)
                .resendBackoff(resendBackoff).resendBackoffMax(resendBackoffMax)
                .resendRetryLimit(resendRetryLimit).progressFlushInterval(progressFlushInterval)
                .emptyBatchInterval(emptyBatchInterval).liveBufferBytes(liveBufferBytes)
                .readerThreads(readerThreads).historyCheckInterval(historyCheckInterval)
                .verifyInterval(verifyInterval).resyncRatePerSecond(resyncRatePerSecond).resyncBurst(resyncBurst)
                .resyncJitter(resyncJitter).aheadStallTimeout(aheadStallTimeout);
    }

    /** Builds a {@link HubConfig}; every setting starts at its default. */
    public static final class Builder {
        private int window = 8;
        private int batchMaxChanges = 500;
        private long batchMaxBytes = 1024 * 1024;
        private Duration resendBackoff = Duration.ofMillis(500);
        private Duration resendBackoffMax = Duration.ofSeconds(30);
        private int resendRetryLimit = 10;
        private Duration progressFlushInterval = Duration.ofSeconds(1);
        private Duration emptyBatchInterval = Duration.ofSeconds(5);
        private long liveBufferBytes = 32L * 1024 * 1024;
        private int readerThreads = 4;
        private Duration historyCheckInterval = Duration.ofSeconds(5);
        private Duration verifyInterval = Duration.ofSeconds(1);
        private double resyncRatePerSecond = 2;
        private int resyncBurst = 4;
        private double resyncJitter = 0.5;
        private Duration aheadStallTimeout = Duration.ofSeconds(30);

        private Builder() {}

        public Builder window(int window) {
            this.window = window;
            return this;
        }

        public Builder batchMaxChanges(int batchMaxChanges) {
            this.batchMaxChanges = batchMaxChanges;
            return this;
        }

        public Builder batchMaxBytes(long batchMaxBytes) {
            this.batchMaxBytes = batchMaxBytes;
            return this;
        }

        public Builder resendBackoff(Duration resendBackoff) {
            this.resendBackoff = resendBackoff;
            return this;
        }

        public Builder resendBackoffMax(Duration resendBackoffMax) {
            this.resendBackoffMax = resendBackoffMax;
            return this;
        }

        public Builder resendRetryLimit(int resendRetryLimit) {
            this.resendRetryLimit = resendRetryLimit;
            return this;
        }

        public Builder progressFlushInterval(Duration progressFlushInterval) {
            this.progressFlushInterval = progressFlushInterval;
            return this;
        }

        public Builder emptyBatchInterval(Duration emptyBatchInterval) {
            this.emptyBatchInterval = emptyBatchInterval;
            return this;
        }

        public Builder liveBufferBytes(long liveBufferBytes) {
            this.liveBufferBytes = liveBufferBytes;
            return this;
        }

        public Builder readerThreads(int readerThreads) {
            this.readerThreads = readerThreads;
            return this;
        }

        public Builder historyCheckInterval(Duration historyCheckInterval) {
            this.historyCheckInterval = historyCheckInterval;
            return this;
        }

        public Builder verifyInterval(Duration verifyInterval) {
            this.verifyInterval = verifyInterval;
            return this;
        }

        public Builder resyncRatePerSecond(double resyncRatePerSecond) {
            this.resyncRatePerSecond = resyncRatePerSecond;
            return this;
        }

        public Builder resyncBurst(int resyncBurst) {
            this.resyncBurst = resyncBurst;
            return this;
        }

        public Builder resyncJitter(double resyncJitter) {
            this.resyncJitter = resyncJitter;
            return this;
        }

        public Builder aheadStallTimeout(Duration aheadStallTimeout) {
            this.aheadStallTimeout = aheadStallTimeout;
            return this;
        }

        public HubConfig build() {
            return new HubConfig(window, batchMaxChanges, batchMaxBytes, resendBackoff, resendBackoffMax,
                    resendRetryLimit, progressFlushInterval, emptyBatchInterval, liveBufferBytes, readerThreads,
                    historyCheckInterval, verifyInterval, resyncRatePerSecond, resyncBurst, resyncJitter,
                    aheadStallTimeout);
        }
    }
}
