package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.server.feed.CaptureHealth;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Capture: streams the source's committed transactions through a logical replication slot into the
 * change log, confirming the slot only after each change-log commit, and publishes each committed
 * range on the {@link ChangeFeed}.
 *
 * <p>{@link #start()} runs the first startup (checks, publication, history) on the caller's thread,
 * so a misconfigured source fails the server's start with a clear message; streaming then runs on a
 * background thread that restarts it after any failure (dropped connection, change-log error), with a
 * doubling backoff, each restart resuming from the change log's capture position.
 *
 * <p>Capture runs only while this server holds the change log's {@link CaptureLease}, taken before
 * anything else: when another server holds it, {@link #start()} fails and changes nothing; when it is
 * lost while capturing, capture stops with an error and does not restart.
 */
public final class CaptureService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CaptureService.class);

    private final CaptureSettings settings;
    private final SourceSettings source;
    private final ChangeLog changeLog;
    private final ChangeFeed feed;
    private final CaptureMetrics metrics;
    private final Heartbeat heartbeat;
    private final CaptureHealthTracker health;
    private final CapturedTables tables = new CapturedTables();
    private final SchemaWatch watch;
    private final LeaseSettings leaseSettings;
    private volatile CaptureLease lease;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Object lock = new Object();
    private Thread supervisor;
    private CaptureSession session;
    private volatile CaptureStatus.State state = CaptureStatus.State.NEW;
    private volatile String historyId;
    private volatile String lastError;
    private volatile int restarts;

    public CaptureService(CaptureSettings settings, SourceSettings source, ChangeLog changeLog, ChangeFeed feed,
                          CaptureMetrics metrics) {
        this(settings, source, changeLog, feed, metrics,
                new CaptureHealthTracker(metrics.registry(), settings.heartbeatInterval()));
    }

    /** Capture whose lease is held in the source database (where the change log lives by default). */
    public CaptureService(CaptureSettings settings, SourceSettings source, ChangeLog changeLog, ChangeFeed feed,
                          CaptureMetrics metrics, CaptureHealthTracker health) {
        this(settings, source, changeLog, feed, metrics, health, LeaseSettings.on(source));
    }

    /**
     * Capture that runs only while it holds the change log's capture lease.
     *
     * @param lease where the lease is held: the change log's database (see {@link LeaseSettings#forChangeLog})
     */
    @Inject
    public CaptureService(CaptureSettings settings, SourceSettings source, ChangeLog changeLog, ChangeFeed feed,
                          CaptureMetrics metrics, CaptureHealthTracker health, LeaseSettings lease) {
        this.leaseSettings = requireNonNull(lease, "lease is null");
        this.health = requireNonNull(health, "health is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.source = requireNonNull(source, "source is null");
        this.changeLog = requireNonNull(changeLog, "changeLog is null");
        this.feed = requireNonNull(feed, "feed is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.watch = new SchemaWatch(settings.publicationName(), tables, health);
        this.heartbeat = new Heartbeat(source, settings, metrics, health, watch);
    }

    /**
     * Prepares capture and starts streaming in the background.
     *
     * @throws CaptureException when the source cannot be captured as configured, or another server
     *     captures into this change log ({@link CaptureError#LEASE}); nothing keeps running
     * @throws IllegalStateException when already started
     */
    public void start() {
        synchronized (lock) {
            if (state != CaptureStatus.State.NEW) {
                throw new IllegalStateException("capture was already started");
            }
            state = CaptureStatus.State.STARTING;
        }
        try {
            lease = CaptureLease.acquire(leaseSettings, settings.slotName());
        } catch (RuntimeException e) {
            state = CaptureStatus.State.STOPPED;
            throw e;
        }
        CaptureSession first = new CaptureSession(settings, source, changeLog, feed, metrics, tables, health, watch);
        StartPoint start;
        try {
            start = first.prepare();
        } catch (RuntimeException e) {
            first.close();
            lease.close();
            state = CaptureStatus.State.STOPPED;
            throw e;
        }
        lease.watch(this::leaseLost);
        historyId = start.historyId();
        heartbeat.start();
        supervisor = new Thread(() -> supervise(first, start), "tidemark-capture");
        supervisor.start();
    }

    private void supervise(CaptureSession first, StartPoint firstStart) {
        Duration backoff = settings.restartBackoff();
        CaptureSession next = first;
        StartPoint start = firstStart;
        while (closed.getCount() > 0) {
            long began = System.nanoTime();
            try {
                if (next == null) {
                    next = new CaptureSession(settings, source, changeLog, feed, metrics, tables, health, watch);
                    setSession(next);
                    state = CaptureStatus.State.STARTING;
                    lease.verify();
                    start = next.prepare();
                    historyId = start.historyId();
                } else {
                    setSession(next);
                }
                next.stream(start, streaming -> {
                    state = CaptureStatus.State.STREAMING;
                    health.streaming();
                });
            } catch (RuntimeException e) {
                if (closed.getCount() == 0) {
                    break;
                }
                lastError = e.getMessage();
                health.failed(e.getMessage());
                restarts++;
                if (Duration.ofNanos(System.nanoTime() - began).compareTo(settings.maxRestartBackoff()) > 0) {
                    backoff = settings.restartBackoff();
                }
                log.error("capture failed; restarting in {} from the change log's capture position: {}", backoff,
                        e.getMessage(), e);
            } finally {
                setSession(null);
                next.close();
                next = null;
            }
            if (closed.getCount() == 0) {
                break;
            }
            state = CaptureStatus.State.RETRYING;
            if (awaitClosed(backoff)) {
                break;
            }
            backoff = min(backoff.multipliedBy(2), settings.maxRestartBackoff());
        }
        state = CaptureStatus.State.STOPPED;
    }

    /** Fencing: without the lease another server may capture, so this one stops at once and for good. */
    private void leaseLost(CaptureException e) {
        lastError = e.getMessage();
        health.failed(e.getMessage());
        closed.countDown();
        synchronized (lock) {
            if (session != null) {
                session.stop();
            }
        }
        heartbeat.close();
    }

    private boolean awaitClosed(Duration timeout) {
        try {
            return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void setSession(CaptureSession current) {
        synchronized (lock) {
            session = current;
            if (current != null && closed.getCount() == 0) {
                current.stop();
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Capture's state and figures now. */
    public CaptureStatus status() {
        return new CaptureStatus(state, historyId, metrics.confirmedLsn(), metrics.changeTotal(),
                metrics.transactionTotal(), metrics.changesPerSecond(), metrics.transactionsPerSecond(),
                metrics.lagBytes(), metrics.lagSeconds(), restarts, lastError);
    }

    /** Whether captured data is complete: excluded tables, and whether capture is stalled. */
    public CaptureHealth health() {
        return health;
    }

    /** Emits a heartbeat now instead of waiting for the next one (for tools and tests). */
    public void heartbeatNow() {
        heartbeat.beat();
    }

    /** Stops streaming and waits for the writer; whatever was not yet written is replayed at the next start. */
    @Override
    public void close() {
        closed.countDown();
        synchronized (lock) {
            if (session != null) {
                session.stop();
            }
        }
        heartbeat.close();
        if (supervisor != null) {
            try {
                supervisor.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (lease != null) {
            lease.close();
        }
        state = CaptureStatus.State.STOPPED;
    }
}
