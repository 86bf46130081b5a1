package dev.tidemark.server.retention;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.recovery.RetentionPlan;
import dev.tidemark.recovery.RetentionPlanner;
import dev.tidemark.recovery.RetentionPolicy;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ClientProgress;
import dev.tidemark.server.spi.HistoryState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trims the change log every {@code interval}: below the lowest position an active client still needs, but never
 * keeping more than the policy's age or size allows ({@link RetentionPlanner}). Logs each decision, warns about
 * clients near the horizon and clients that will have to resync, and exposes gauges: retained changes, the
 * oldest retained position, clients that will need a resync, clients near the horizon.
 */
public final class RetentionJob implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

    private final ChangeLog changeLog;
    private final RetentionPolicy policy;
    private final RetentionPlanner planner;
    private final Duration interval;
    private final Clock clock;
    private final AtomicLong retainedChanges = new AtomicLong();
    private final AtomicLong retainedFrom = new AtomicLong();
    private final AtomicLong losingClients = new AtomicLong();
    private final AtomicLong nearHorizonClients = new AtomicLong();
    private ScheduledExecutorService timer;

    public RetentionJob(ChangeLog changeLog, RetentionPolicy policy, Duration interval, MeterRegistry meters,
                        Clock clock) {
        this.changeLog = requireNonNull(changeLog, "changeLog is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.planner = new RetentionPlanner(policy);
        this.interval = requireNonNull(interval, "interval is null");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the retention interval must be positive, got " + interval);
        }
        this.clock = requireNonNull(clock, "clock is null");
        Gauge.builder("tidemark.retention.changes", retainedChanges, AtomicLong::get)
                .description("changes retained in the change log").strongReference(true).register(meters);
        Gauge.builder("tidemark.retention.oldest.lsn", retainedFrom, AtomicLong::get)
                .description("the retained history starts after this position (as a 64-bit number)")
                .strongReference(true).register(meters);
        Gauge.builder("tidemark.retention.clients.resync", losingClients, AtomicLong::get)
                .description("clients whose acknowledged position was trimmed: they will need a resync")
                .strongReference(true).register(meters);
        Gauge.builder("tidemark.retention.clients.near.horizon", nearHorizonClients, AtomicLong::get)
                .description("clients whose acknowledged position is close to being trimmed")
                .strongReference(true).register(meters);
    }

    /** Runs every {@code interval} on a daemon thread, the first time after one interval. */
    public synchronized RetentionJob start() {
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "tidemark-retention");
                thread.setDaemon(true);
                return thread;
            });
            long millis = interval.toMillis();
            timer.scheduleWithFixedDelay(this::runSafely, millis, millis, TimeUnit.MILLISECONDS);
            log.info("retention: every {} trim history no active client needs; keep at most {} and {} changes;"
                    + " clients inactive for {} stop holding history", interval, policy.maxAge(), policy.maxChanges(),
                    policy.clientTimeout());
        }
        return this;
    }

    private void runSafely() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.warn("retention: this round failed and is retried in {}: {}", interval, e.toString());
        }
    }

    /**
     * One round: plan, warn, trim.
     *
     * @return the plan carried out, or empty when the log holds no history yet
     */
    public Optional<RetentionPlan> runOnce() {
        Optional<HistoryState> state = changeLog.state();
        if (state.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        RetentionPlanner.History history = new RetentionPlanner.History(state.get().capturePosition(),
                changeLog.lastCommitBefore(now.minus(policy.maxAge())),
                changeLog.lastCommitBefore(now.minus(policy.warnAge())),
                changeLog.horizonKeeping(policy.maxChanges()));
        List<RetentionPlanner.Client> clients = changeLog.progress().stream().map(RetentionJob::client).toList();
        RetentionPlan plan = planner.plan(history, clients, now);
        for (String clientId : plan.nearHorizonClients()) {
            log.warn("retention: client '{}' is close to the retention horizon (its position is older than {}):"
                    + " if it does not catch up it will have to resync", clientId, policy.warnAge());
        }
        if (!plan.losingClients().isEmpty()) {
            log.warn("retention: clients {} are behind the trimmed history and will resync when they connect",
                    plan.losingClients());
        }
        Lsn from = state.get().retainedFrom();
        if (plan.trimThrough().isPresent() && plan.trimThrough().get().isAfter(from)) {
            Lsn through = plan.trimThrough().get();
            long removed = changeLog.trim(through);
            from = through;
            log.info("retention: trimmed {} changes through {}{}", removed, through, plan.heldBackBy()
                    .map(id -> " (held back by client '" + id + "')").orElse(""));
        } else {
            log.debug("retention: nothing to trim (retained from {}{})", from, plan.heldBackBy()
                    .map(id -> ", held back by client '" + id + "'").orElse(""));
        }
        retainedChanges.set(changeLog.retainedChanges());
        retainedFrom.set(from.value());
        losingClients.set(plan.losingClients().size());
        nearHorizonClients.set(plan.nearHorizonClients().size());
        return Optional.of(plan);
    }

    private static RetentionPlanner.Client client(ClientProgress progress) {
        Instant lastSeen = progress.lastAckAt() != null && progress.lastAckAt().isAfter(progress.updatedAt())
                ? progress.lastAckAt() : progress.updatedAt();
        return new RetentionPlanner.Client(progress.clientId(), progress.ackedLsn(), lastSeen, progress.connected());
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
