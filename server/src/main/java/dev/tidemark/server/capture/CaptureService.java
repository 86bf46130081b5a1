package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.server.feed.CaptureHealth;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.CaptureLeader;
import dev.tidemark.server.spi.CaptureLeadership;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.StaleLeaderException;
import io.micrometer.core.instrument.Gauge;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Capture: streams the source's committed transactions through a logical replication slot into the
 * change log, confirming the slot only after each change-log commit, and publishes each committed
 * range on the {@link ChangeFeed}.
 *
 * <p>Capture runs only on the node that holds the change log's {@link CaptureLease} (one leader per change
 * log). {@link #start()} tries to take it: when it does, the first startup (checks, publication, history)
 * runs on the caller's thread, so a misconfigured source fails the server's start with a clear message, and
 * streaming then runs on a background thread that restarts it after any failure (dropped connection,
 * change-log error), with a doubling backoff, each restart resuming from the change log's capture position.
 * When another node holds the lease, this node is a standby: it creates no slot, never changes the history,
 * and waits for the lease (PostgreSQL grants it the moment the leader lets it go or dies), then takes over
 * from the change log's capture position.
 *
 * <p>A leader that loses its lease (its lock connection cut, PostgreSQL restarted) stops capturing at once and
 * becomes a standby; the change log's leader epoch, taken with the lease, refuses any append it still had in
 * flight once another node took over. A node whose slot differs from the one the change log is captured from
 * refuses to take over (every node must use the same slot).
 */
public final class CaptureService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CaptureService.class);
    /** How long a standby waits for the lease in one go (it then looks again at who leads). */
    static final Duration STANDBY_WAIT = Duration.ofSeconds(1);
    /** The first restart backoff of a new term: the old leader's replication connection may still be going away. */
    private static final Duration TAKEOVER_BACKOFF = Duration.ofMillis(250);

    private final CaptureSettings settings;
    private final SourceSettings source;
    private final ChangeLog changeLog;
    private final ChangeFeed feed;
    private final CaptureMetrics metrics;
    private final CaptureHealthTracker health;
    private final CapturedTables tables = new CapturedTables();
    private final SchemaWatch watch;
    private final LeaseSettings leaseSettings;
    /** This node's name in the lease; see {@link #nodeName}. */
    private volatile String node;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Object lock = new Object();
    private Thread supervisor;
    private CaptureSession session;
    private Heartbeat heartbeat;
    private CaptureLease lease;
    private volatile CountDownLatch termEnded = new CountDownLatch(1);
    private volatile boolean leading;
    private volatile boolean refused;
    private volatile String leaderNode;
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
        this.node = CaptureLease.nodeName(settings.slotName(),
                HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt()));
        Gauge.builder("tidemark.capture.leader", this, service -> service.leading ? 1 : 0)
                .description("1 while this node leads capture (holds the capture lease), 0 on a standby")
                .strongReference(true).register(metrics.registry());
    }

    /** The name the server's node table knows this process by (injected by the server's wiring). */
    public static final String NODE_NAME = "tidemark.node.name";

    /**
     * Names this node in the lease after the server's node table ({@code tidemark status} and {@code /readyz} then
     * show the leader under the same name as its row): {@code tidemark capture slot S on <node name>}. Without it
     * (tests, benchmarks) the name is built from the host, the process id and a random suffix.
     */
    @com.google.inject.Inject(optional = true)
    void nodeName(@com.google.inject.name.Named(NODE_NAME) String name) {
        this.node = "tidemark capture slot " + settings.slotName() + " on " + name;
    }

    /**
     * Takes the lead and prepares capture, or becomes a standby when another node leads; either way the rest
     * runs in the background.
     *
     * @throws CaptureException when this node took the lead but the source cannot be captured as configured,
     *     or its slot differs from the one the change log is captured from ({@link CaptureError#LEASE}); when
     *     the change log's database cannot be reached; nothing keeps running
     * @throws IllegalStateException when already started
     */
    public void start() {
        synchronized (lock) {
            if (state != CaptureStatus.State.NEW) {
                throw new IllegalStateException("capture was already started");
            }
            state = CaptureStatus.State.STARTING;
        }
        CaptureLease.Attempt attempt;
        try {
            attempt = CaptureLease.tryAcquire(leaseSettings, node);
        } catch (RuntimeException e) {
            state = CaptureStatus.State.STOPPED;
            throw e;
        }
        if (attempt.lease() == null) {
            leaderNode = recordedLeader().map(CaptureLeader::node).orElse(attempt.holder());
            lastError = "another node leads capture into this change log (its capture lease is held by "
                    + attempt.holder() + ")";
            log.warn("{}. This node is a standby: it serves clients from the change log, does not capture, created no"
                    + " slot and leaves the change log's history unchanged; it takes over when the leader goes away."
                    + " Every node of a change log must use the same slot ({}).", lastError, settings.slotName());
            becomeStandby();
            supervisor = new Thread(() -> run(null, null), "tidemark-capture");
            supervisor.start();
            return;
        }
        CaptureSession first = null;
        StartPoint start;
        try {
            lead(attempt.lease());
            first = new CaptureSession(settings, source, changeLog, feed, metrics, tables, health, watch,
                    this::verifyLease);
            start = first.prepare();
        } catch (RuntimeException e) {
            if (first != null) {
                first.close();
            }
            resign();
            state = CaptureStatus.State.STOPPED;
            throw e;
        }
        historyId = start.historyId();
        startHeartbeat();
        CaptureSession prepared = first;
        supervisor = new Thread(() -> run(prepared, start), "tidemark-capture");
        supervisor.start();
    }

    /** Leads while it can, waits as a standby while it cannot, until closed (or refused). */
    private void run(CaptureSession first, StartPoint firstStart) {
        CaptureSession next = first;
        StartPoint start = firstStart;
        while (isOpen()) {
            if (!leading && !awaitLead()) {
                break;
            }
            captureWhileLeading(next, start);
            next = null;
            start = null;
            if (isOpen()) {
                stepDown();
            }
        }
        if (!isOpen()) {
            state = CaptureStatus.State.STOPPED;
        }
    }

    /**
     * Takes the lead with {@code taken}: checks that this node's slot is the change log's, records a new leader
     * epoch (which fences appends of any former leader), and watches the lease.
     *
     * @throws CaptureException ({@link CaptureError#LEASE}) when this node's slot differs from the change log's;
     *     the lease is let go
     */
    private void lead(CaptureLease taken) {
        synchronized (lock) {
            lease = taken;
        }
        Optional<CaptureLeadership> leadership = changeLog.leadership();
        try {
            if (leadership.isPresent()) {
                Optional<CaptureLeader> recorded = leadership.get().current();
                if (recorded.isPresent() && !recorded.get().slotName().equals(settings.slotName())
                        && slotExists(recorded.get().slotName())) {
                    throw refusal(recorded.get());
                }
                CaptureLeader leader = leadership.get().take(node, settings.slotName());
                log.info("this node leads capture into the change log now (epoch {}, node {})", leader.epoch(), node);
            }
        } catch (RuntimeException e) {
            resign();
            throw e;
        }
        leaderNode = node;
        health.role("this node leads capture (" + node + ")");
        CountDownLatch term = new CountDownLatch(1);
        termEnded = term;
        Heartbeat beat = new Heartbeat(source, settings, metrics, health, watch);
        synchronized (lock) {
            heartbeat = beat;
        }
        leading = true;
        taken.watch(this::leaseLost);
    }

    /** Starts the term's heartbeat, once capture is prepared (or about to prepare again after a takeover). */
    private void startHeartbeat() {
        Heartbeat beat;
        synchronized (lock) {
            beat = heartbeat;
        }
        if (beat != null) {
            beat.start();
        }
    }

    private CaptureException refusal(CaptureLeader recorded) {
        String other = recorded.slotName();
        return new CaptureException(CaptureError.LEASE, "this node's slot " + settings.slotName() + " differs from"
                + " slot " + other + ", from which the change log is captured (last led by " + recorded.node()
                + ", epoch " + recorded.epoch() + "): every node of a change log must use the same slot, so this"
                + " node refuses to lead (it would start a new history and make every client resync). It does not"
                + " capture and left the history unchanged. Set tidemark.capture.slot=" + other + " on this node;"
                + " or, to move the change log to slot " + settings.slotName() + " on purpose, stop every node and"
                + " drop the old slot first (SELECT pg_drop_replication_slot('" + other + "')).");
    }

    private boolean slotExists(String slot) {
        try (Connection connection = source.connect();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            query.setString(1, slot);
            try (ResultSet row = query.executeQuery()) {
                return row.next();
            }
        } catch (SQLException e) {
            throw new CaptureException(CaptureError.SOURCE, "cannot look up replication slot " + slot + " on "
                    + source.redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits, as a standby, until this node takes the lead.
     *
     * @return false when closed, or when this node's configuration was refused (it stays a standby)
     */
    private boolean awaitLead() {
        try (CaptureLease.Waiter waiter = new CaptureLease.Waiter(leaseSettings, node)) {
            boolean warned = false;
            while (isOpen()) {
                Optional<CaptureLease> taken;
                try {
                    taken = waiter.await(STANDBY_WAIT);
                } catch (CaptureException e) {
                    if (!warned) {
                        log.warn("standby: {} (retrying every {})", e.getMessage(), STANDBY_WAIT);
                        warned = true;
                    }
                    lastError = e.getMessage();
                    awaitClosed(STANDBY_WAIT);
                    continue;
                }
                warned = false;
                if (taken.isEmpty()) {
                    recordedLeader().ifPresent(leader -> leaderNode = leader.node());
                    describeStandby();
                    continue;
                }
                if (!isOpen()) {
                    taken.get().close();
                    return false;
                }
                try {
                    lead(taken.get());
                } catch (CaptureException e) {
                    if (e.error() == CaptureError.LEASE) {
                        refused = true;
                        lastError = e.getMessage();
                        health.role("this node is a standby and refuses to lead capture: " + e.getMessage());
                        log.error("{}", e.getMessage());
                        return false;
                    }
                    lastError = e.getMessage();
                    log.warn("taking over capture failed, retrying in {}: {}", STANDBY_WAIT, e.getMessage());
                    awaitClosed(STANDBY_WAIT);
                    continue;
                } catch (RuntimeException e) {
                    lastError = e.getMessage();
                    log.warn("taking over capture failed, retrying in {}: {}", STANDBY_WAIT, e.getMessage());
                    awaitClosed(STANDBY_WAIT);
                    continue;
                }
                startHeartbeat();
                log.info("this node took over capture; it resumes from the change log's capture position");
                return true;
            }
            return false;
        }
    }

    /** Captures, restarting after failures, until closed or this node's term ends (lease lost, stale epoch). */
    private void captureWhileLeading(CaptureSession first, StartPoint firstStart) {
        CountDownLatch term = termEnded;
        Duration backoff = first == null ? min(TAKEOVER_BACKOFF, settings.restartBackoff()) : settings.restartBackoff();
        CaptureSession next = first;
        StartPoint start = firstStart;
        while (isOpen() && term.getCount() > 0) {
            long began = System.nanoTime();
            try {
                if (next == null) {
                    next = new CaptureSession(settings, source, changeLog, feed, metrics, tables, health, watch,
                            this::verifyLease);
                    setSession(next, term);
                    state = CaptureStatus.State.STARTING;
                    verifyLease();
                    start = next.prepare();
                    historyId = start.historyId();
                } else {
                    setSession(next, term);
                }
                if (term.getCount() == 0) {
                    break;
                }
                next.stream(start, streaming -> {
                    state = CaptureStatus.State.STREAMING;
                    lastError = null;
                    health.streaming();
                });
            } catch (RuntimeException e) {
                if (!isOpen() || term.getCount() == 0) {
                    break;
                }
                if (causedBy(e, StaleLeaderException.class)) {
                    lastError = e.getMessage();
                    log.error("capture stopped: {}", e.getMessage());
                    term.countDown();
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
                setSession(null, term);
                if (next != null) {
                    next.close();
                }
                next = null;
            }
            if (!isOpen() || term.getCount() == 0) {
                break;
            }
            state = CaptureStatus.State.RETRYING;
            if (awaitEnd(term, backoff)) {
                break;
            }
            backoff = min(backoff.multipliedBy(2), settings.maxRestartBackoff());
        }
    }

    private void verifyLease() {
        CaptureLease current;
        synchronized (lock) {
            current = lease;
        }
        if (current == null) {
            throw new CaptureException(CaptureError.LEASE, "this node no longer holds the capture lease");
        }
        current.verify();
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    /** Fencing: without the lease another node may capture, so this one stops at once (then becomes a standby). */
    private void leaseLost(CaptureException e) {
        lastError = e.getMessage();
        CountDownLatch term = termEnded;
        term.countDown();
        synchronized (lock) {
            if (session != null) {
                session.stop();
            }
        }
    }

    /** This node's term ended: it stops the heartbeat, lets the lease go and waits as a standby. */
    private void stepDown() {
        resign();
        log.warn("this node no longer leads capture ({}); it serves clients as a standby and takes over again when"
                + " the capture lease is free", lastError);
        becomeStandby();
    }

    private void becomeStandby() {
        health.standby();
        state = CaptureStatus.State.STANDBY;
        describeStandby();
    }

    private void describeStandby() {
        if (!refused) {
            health.role("this node is a standby (" + node + "); capture is led by "
                    + (leaderNode == null || leaderNode.equals(node) ? "another node" : leaderNode));
        }
    }

    /** Stops leading: heartbeat, lease and fencing epoch. */
    private void resign() {
        leading = false;
        Heartbeat beat;
        CaptureLease held;
        synchronized (lock) {
            beat = heartbeat;
            heartbeat = null;
            held = lease;
            lease = null;
        }
        if (beat != null) {
            beat.close();
        }
        if (held != null) {
            held.close();
        }
        changeLog.leadership().ifPresent(leadership -> {
            try {
                leadership.release();
            } catch (RuntimeException e) {
                log.debug("releasing the leader epoch failed", e);
            }
        });
    }

    private Optional<CaptureLeader> recordedLeader() {
        try {
            return changeLog.leadership().flatMap(CaptureLeadership::current);
        } catch (RuntimeException e) {
            log.debug("reading the capture leader failed: {}", e.getMessage());
            return Optional.empty();
        }
    }

    private boolean isOpen() {
        return closed.getCount() > 0;
    }

    private boolean awaitClosed(Duration timeout) {
        try {
            return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Waits up to {@code timeout}; true when closed or the term ended meanwhile. */
    private boolean awaitEnd(CountDownLatch term, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (term.await(Math.min(100, timeout.toMillis()), TimeUnit.MILLISECONDS) || !isOpen()) {
                    return true;
                }
            }
            return !isOpen();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void setSession(CaptureSession current, CountDownLatch term) {
        synchronized (lock) {
            session = current;
            if (current != null && (!isOpen() || term.getCount() == 0)) {
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
                metrics.lagBytes(), metrics.lagSeconds(), restarts, lastError, node, leading, leaderNode);
    }

    /** Whether this node leads capture now (holds the capture lease); false on a standby. */
    public boolean isLeader() {
        return leading;
    }

    /** Whether this node refused to take over because its slot differs from the change log's. */
    boolean isRefused() {
        return refused;
    }

    /** Whether captured data is complete: excluded tables, and whether capture is stalled. */
    public CaptureHealth health() {
        return health;
    }

    /** Emits a heartbeat now instead of waiting for the next one (for tools and tests). */
    public void heartbeatNow() {
        Heartbeat beat;
        synchronized (lock) {
            beat = heartbeat;
        }
        if (beat != null) {
            beat.beat();
        }
    }

    /** Stops streaming and waits for the writer; whatever was not yet written is replayed at the next start. */
    @Override
    public void close() {
        closed.countDown();
        termEnded.countDown();
        synchronized (lock) {
            if (session != null) {
                session.stop();
            }
        }
        if (supervisor != null) {
            try {
                supervisor.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        resign();
        state = CaptureStatus.State.STOPPED;
    }
}
