package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.CaptureHealth;
import dev.tidemark.server.feed.TableProblem;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Capture's {@link CaptureHealth}: the tables excluded from capture (each logged once at ERROR with
 * its fix when it is excluded, and at INFO when it is captured again), and whether capture is stalled.
 *
 * <p>Capture is stalled when it failed and has not streamed since (the reader or the writer erroring,
 * the source unreachable), or when the source's WAL moved past what capture made durable and capture
 * made no progress at all (no append, not even a chunk) for the heartbeat interval (an idle source's
 * WAL moves with the heartbeats, which capture writes) plus {@link #STALL_MARGIN}. Meters:
 * {@code tidemark.capture.tables.excluded} (tables not captured), {@code tidemark.capture.incomplete}
 * (1 while captured data is incomplete: a table excluded or capture stalled) and
 * {@code tidemark.capture.stalled} (1 while stalled). Thread-safe.
 */
public final class CaptureHealthTracker implements CaptureHealth {

    private static final Logger log = LoggerFactory.getLogger(CaptureHealthTracker.class);

    /** Added to the heartbeat interval: how long capture may make no progress while the source's WAL moves. */
    static final Duration STALL_MARGIN = Duration.ofSeconds(10);

    private final Map<String, TableProblem> problems = new ConcurrentSkipListMap<>();
    private final LongSupplier clock;
    private final Duration stallAfter;
    private final Object lock = new Object();
    private String failure;
    private Lsn durable = Lsn.ZERO;
    private long lastProgressNanos;
    private Lsn unconfirmedWal;
    private volatile String role;
    private long unconfirmedSinceNanos;

    /** Health for capture with the default heartbeat interval. */
    public CaptureHealthTracker(MeterRegistry registry) {
        this(registry, Duration.ofSeconds(10));
    }

    /** Health for capture with heartbeats every {@code heartbeatInterval}. */
    public CaptureHealthTracker(MeterRegistry registry, Duration heartbeatInterval) {
        this(registry, heartbeatInterval, System::nanoTime);
    }

    CaptureHealthTracker(MeterRegistry registry, Duration heartbeatInterval, LongSupplier clock) {
        requireNonNull(registry, "registry is null");
        this.stallAfter = heartbeatInterval.plus(STALL_MARGIN);
        this.clock = requireNonNull(clock, "clock is null");
        this.lastProgressNanos = clock.getAsLong();
        Gauge.builder("tidemark.capture.tables.excluded", problems, Map::size)
                .description("tables that should be captured but are excluded (see the server log or status for the fix)")
                .strongReference(true).register(registry);
        Gauge.builder("tidemark.capture.incomplete", this, health -> health.complete() ? 0 : 1)
                .description("1 while the captured data is incomplete: a table excluded or capture stalled")
                .strongReference(true).register(registry);
        Gauge.builder("tidemark.capture.stalled", this, health -> health.stalled().isPresent() ? 1 : 0)
                .description("1 while capture makes no progress although the source's WAL moves, or keeps failing")
                .strongReference(true).register(registry);
    }

    @Override
    public List<TableProblem> problems() {
        return List.copyOf(problems.values());
    }

    @Override
    public Optional<String> stalled() {
        synchronized (lock) {
            if (failure != null) {
                return Optional.of("capture failed and is restarting: " + failure);
            }
            if (unconfirmedWal != null) {
                long since = Math.max(unconfirmedSinceNanos, lastProgressNanos);
                Duration quiet = Duration.ofNanos(clock.getAsLong() - since);
                if (quiet.compareTo(stallAfter) >= 0) {
                    return Optional.of("no progress for " + quiet.toSeconds() + " s while the source's WAL is at "
                            + unconfirmedWal + " and capture made " + durable + " durable");
                }
            }
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> role() {
        return Optional.ofNullable(role);
    }

    /** Sets this node's part in capture (see {@link #role()}). */
    void role(String description) {
        role = description;
    }

    /** Excludes a table from capture; logs it at ERROR, with its fix, when it was not excluded for this reason. */
    void exclude(TableProblem problem) {
        TableProblem before = problems.put(problem.entityType(), problem);
        if (!problem.equals(before)) {
            log.error("capture excludes {}: clients do not receive its changes until it is fixed (the other tables"
                    + " are captured as usual)", problem.describe());
        }
    }

    /** The table of {@code entityType} is captured (again); no-op when it was not excluded. */
    void include(String entityType) {
        TableProblem problem = problems.remove(entityType);
        if (problem != null) {
            log.info("table {} is captured again; clients reload it from its refresh marker", problem.table());
        }
    }

    /** Forgets the problems of the entity types for which {@code keep} is false (no longer in the capture set). */
    void retain(Predicate<String> keep) {
        problems.keySet().removeIf(table -> !keep.test(table));
    }

    /** Capture failed (the session ends and is restarted). */
    void failed(String message) {
        synchronized (lock) {
            failure = message == null ? "unknown failure" : message;
        }
    }

    /**
     * This node no longer captures (a standby): another node's capture is not this node's to judge, so the
     * failure and the WAL watch are forgotten (the excluded tables are kept until this node captures again).
     */
    void standby() {
        synchronized (lock) {
            failure = null;
            unconfirmedWal = null;
            lastProgressNanos = clock.getAsLong();
        }
    }

    /** A capture session streams again. */
    void streaming() {
        synchronized (lock) {
            failure = null;
            lastProgressNanos = clock.getAsLong();
        }
    }

    /** The writer appended (changes, a chunk or a position); {@code position} is the durable capture position. */
    void progressed(Lsn position) {
        synchronized (lock) {
            lastProgressNanos = clock.getAsLong();
            if (position.isAfter(durable)) {
                durable = position;
            }
            if (unconfirmedWal != null && !unconfirmedWal.isAfter(durable)) {
                unconfirmedWal = null;
            }
        }
    }

    /** The source's current WAL position, sampled now. */
    void sourceWal(Lsn wal) {
        synchronized (lock) {
            if (!wal.isAfter(durable)) {
                unconfirmedWal = null;
            } else if (unconfirmedWal == null) {
                unconfirmedWal = wal;
                unconfirmedSinceNanos = clock.getAsLong();
            }
        }
    }

    /** A summary for logs and tests. */
    @Override
    public String toString() {
        List<String> lines = new ArrayList<>(describe());
        return lines.isEmpty() ? "capture complete" : String.join("; ", lines);
    }
}
