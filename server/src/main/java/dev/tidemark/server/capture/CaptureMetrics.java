package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Capture's meters (Micrometer), with the figures the status shows:
 * <ul>
 *   <li>{@code tidemark.capture.changes} and {@code tidemark.capture.transactions}: counters of what
 *       was made durable in the change log (their rate is changes/s and transactions/s);</li>
 *   <li>{@code tidemark.capture.changes.rate} and {@code tidemark.capture.transactions.rate}: the
 *       same per second, over the last measuring interval;</li>
 *   <li>{@code tidemark.capture.lag.bytes}: WAL the slot holds that capture has not confirmed
 *       ({@code pg_current_wal_lsn() - confirmed_flush_lsn}, measured with each heartbeat);</li>
 *   <li>{@code tidemark.capture.lag.seconds}: how far behind the source's commits capture is: the age
 *       of the last transaction at the moment it became durable, or of a heartbeat not yet captured;</li>
 *   <li>{@code tidemark.capture.confirmed.lsn}: the last LSN confirmed to the slot (as a number).</li>
 * </ul>
 * Thread-safe.
 */
public final class CaptureMetrics {

    private final MeterRegistry registry;
    private final Counter changes;
    private final Counter transactions;
    private final AtomicLong changeTotal = new AtomicLong();
    private final AtomicLong transactionTotal = new AtomicLong();
    private final AtomicLong lagBytes = new AtomicLong(-1);
    private final AtomicReference<Lsn> confirmed = new AtomicReference<>(Lsn.ZERO);
    private final AtomicReference<Duration> commitLag = new AtomicReference<>(Duration.ZERO);
    private final AtomicReference<Instant> lastDurableCommit = new AtomicReference<>(Instant.EPOCH);
    private final AtomicReference<Instant> lastHeartbeatEmitted = new AtomicReference<>(Instant.EPOCH);
    private final Object rateLock = new Object();
    private long rateChanges;
    private long rateTransactions;
    private long rateAtNanos = System.nanoTime();
    private volatile double changesPerSecond;
    private volatile double transactionsPerSecond;

    public CaptureMetrics(MeterRegistry registry) {
        requireNonNull(registry, "registry is null");
        this.registry = registry;
        changes = Counter.builder("tidemark.capture.changes").description("changes made durable in the change log")
                .register(registry);
        transactions = Counter.builder("tidemark.capture.transactions")
                .description("source transactions made durable in the change log").register(registry);
        Gauge.builder("tidemark.capture.changes.rate", this, m -> m.changesPerSecond)
                .description("changes captured per second over the last interval")
                .strongReference(true).register(registry);
        Gauge.builder("tidemark.capture.transactions.rate", this, m -> m.transactionsPerSecond)
                .description("transactions captured per second over the last interval")
                .strongReference(true).register(registry);
        Gauge.builder("tidemark.capture.lag.bytes", lagBytes, AtomicLong::get).baseUnit("bytes")
                .description("WAL retained by the slot beyond the position capture confirmed")
                .strongReference(true).register(registry);
        Gauge.builder("tidemark.capture.lag.seconds", this, CaptureMetrics::lagSeconds).baseUnit("seconds")
                .description("how far behind the source's commits capture is").strongReference(true).register(registry);
        Gauge.builder("tidemark.capture.confirmed.lsn", confirmed, lsn -> (double) lsn.get().value())
                .description("last LSN confirmed to the replication slot").strongReference(true).register(registry);
    }

    /** A change-log write made {@code changeCount} changes and {@code transactionCount} transactions durable. */
    void captured(int changeCount, int transactionCount, Instant lastCommitTime) {
        changes.increment(changeCount);
        transactions.increment(transactionCount);
        changeTotal.addAndGet(changeCount);
        transactionTotal.addAndGet(transactionCount);
        if (lastCommitTime != null) {
            Instant now = Instant.now();
            lastDurableCommit.set(lastCommitTime);
            commitLag.set(lastCommitTime.isBefore(now) ? Duration.between(lastCommitTime, now) : Duration.ZERO);
        }
    }

    /** The registry the meters are in. */
    MeterRegistry registry() {
        return registry;
    }

    void confirmed(Lsn lsn) {
        confirmed.set(lsn);
    }

    void slotLag(long bytes) {
        lagBytes.set(bytes);
    }

    void heartbeatEmitted(Instant at) {
        lastHeartbeatEmitted.set(at);
    }

    /** Recomputes the per-second rates; called periodically. */
    void sampleRates() {
        synchronized (rateLock) {
            long now = System.nanoTime();
            double seconds = (now - rateAtNanos) / 1e9;
            if (seconds <= 0) {
                return;
            }
            long changeCount = changeTotal.get();
            long transactionCount = transactionTotal.get();
            changesPerSecond = (changeCount - rateChanges) / seconds;
            transactionsPerSecond = (transactionCount - rateTransactions) / seconds;
            rateChanges = changeCount;
            rateTransactions = transactionCount;
            rateAtNanos = now;
        }
    }

    double lagSeconds() {
        double lag = commitLag.get().toNanos() / 1e9;
        Instant heartbeat = lastHeartbeatEmitted.get();
        if (heartbeat.isAfter(lastDurableCommit.get())) {
            lag = Math.max(lag, Duration.between(heartbeat, Instant.now()).toNanos() / 1e9);
        }
        return lag;
    }

    long changeTotal() {
        return changeTotal.get();
    }

    long transactionTotal() {
        return transactionTotal.get();
    }

    double changesPerSecond() {
        return changesPerSecond;
    }

    double transactionsPerSecond() {
        return transactionsPerSecond;
    }

    long lagBytes() {
        return lagBytes.get();
    }

    Lsn confirmedLsn() {
        return confirmed.get();
    }
}
