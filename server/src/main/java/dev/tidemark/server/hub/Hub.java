package dev.tidemark.server.hub;

import dev.tidemark.server.feed.SnapshotSource;
import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.server.feed.CaptureHealth;
import dev.tidemark.server.feed.CaptureListener;
import dev.tidemark.server.feed.CapturedRange;
import dev.tidemark.server.feed.LoggedChunk;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.HistoryState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub: streams the change log to every connected client, catch-up from the log then live from the
 * capture's {@link ChangeFeed}, and records each client's acknowledged progress.
 *
 * <p>It reaches the change log only through the {@link ChangeLog} SPI. Reads run on a small pool of reader
 * threads, and calls to the {@link ClusterState} on threads of their own (claims on one, verify and snapshot
 * admissions on two): everything else about one client runs on that client's connection thread, which such a
 * call never blocks.
 */
public final class Hub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Hub.class);

    /**
     * Threads that ask the cluster state about verifies and snapshots: apart from the claims' own thread and the
     * change log's readers, so a slow state delays only the requests that need it, and two of them so one round
     * trip that waits for a timeout does not hold every other session's answer behind it.
     */
    private static final int ADMISSION_THREADS = 2;

    private final HubConfig config;
    private final ChangeLog changeLog;
    private final ChangeFeed feed;
    private final LiveTail tail;
    /** What the hub hears from the feed: capture's refresh markers first, then the range itself. */
    private final CaptureListener captured;
    private final CaptureHealth health;
    private final ProgressWriter progress;
    private final SnapshotStreamers streamers;
    private final SessionFactory sessions;
    private final SessionRegistry registry = new SessionRegistry();
    private final ExecutorService readers;
    private final ExecutorService markerLoader;
    private final RefreshIndex refreshes;
    private final ScheduledExecutorService timer;
    private final ClusterState cluster;
    private final ExecutorService claimThread;
    /** Asks the cluster state about verifies and snapshots for the sessions, never on their event loops. */
    private final ExecutorService admissionThreads;
    private final SessionClaims claims;
    private volatile boolean ready;
    private volatile String historyId;
    private boolean started;

    public Hub(HubConfig config, ChangeLog changeLog, ChangeFeed feed, MeterRegistry meters, Clock clock) {
        this(config, changeLog, feed, meters, clock, Optional.empty());
    }

    /**
     * @param snapshots where resync snapshots come from; empty when this server cannot take them (clients
     *     that must resync are then only told so)
     */
    public Hub(HubConfig config, ChangeLog changeLog, ChangeFeed feed, MeterRegistry meters, Clock clock,
               Optional<SnapshotSource> snapshots) {
        this(config, changeLog, feed, meters, clock, snapshots, CaptureHealth.COMPLETE);
    }

    /**
     * @param snapshots where resync and per-table snapshots come from; empty when this server cannot take them
     * @param health which entity types capture cannot capture correctly now: clients receiving them are told
     *     their view is incomplete ({@code welcome}, then {@code capture_status} when it changes)
     */
    public Hub(HubConfig config, ChangeLog changeLog, ChangeFeed feed, MeterRegistry meters, Clock clock,
               Optional<SnapshotSource> snapshots, CaptureHealth health) {
        this(config, changeLog, feed, meters, clock, snapshots, health, Optional.empty());
    }

    /**
     * @param snapshots where resync and per-table snapshots come from; empty when this server cannot take them
     * @param health which entity types capture cannot capture correctly now
     * @param cluster the state this hub shares with the other nodes serving the same change log (which session
     *     serves each client, verify rate limits, resync admissions); empty for a single node, which keeps it in
     *     memory. The hub starts and closes it.
     */
    public Hub(HubConfig config, ChangeLog changeLog, ChangeFeed feed, MeterRegistry meters, Clock clock,
               Optional<SnapshotSource> snapshots, CaptureHealth health, Optional<ClusterState> cluster) {
        this.config = requireNonNull(config, "config is null");
        this.changeLog = requireNonNull(changeLog, "changeLog is null");
        this.feed = requireNonNull(feed, "feed is null");
        requireNonNull(meters, "meters is null");
        this.markerLoader = Executors.newSingleThreadExecutor(threads("tidemark-hub-markers"));
        this.refreshes = new RefreshIndex(RefreshMarkers.of(changeLog), markerLoader, registry::notifyAllSessions);
        this.tail = new LiveTail(config.liveBufferBytes(), this::tipMoved);
        this.captured = new CaptureListener() {
            @Override
            public void onCaptured(CapturedRange range) {
                range.refreshes().ifPresent(markers -> refreshes.captured(range.from(), range.to(), markers));
                tail.onCaptured(range);
            }

            @Override
            public void onChunk(LoggedChunk chunk) {
                tail.onChunk(chunk);
            }
        };
        this.readers = Executors.newFixedThreadPool(config.readerThreads(), threads("tidemark-hub-reader"));
        this.timer = Executors.newSingleThreadScheduledExecutor(threads("tidemark-hub-timer"));
        requireNonNull(clock, "clock is null");
        this.health = requireNonNull(health, "health is null");
        HubMetrics metrics = new HubMetrics(meters);
        MessageCodec codec = new MessageCodec();
        this.progress = new ProgressWriter(changeLog, meters);
        this.cluster = requireNonNull(cluster, "cluster is null").orElseGet(() -> new LocalClusterState(config));
        this.claimThread = Executors.newSingleThreadExecutor(threads("tidemark-hub-claims"));
        this.claims = new SessionClaims(this.cluster, registry, claimThread);
        this.admissionThreads = Executors.newFixedThreadPool(ADMISSION_THREADS, threads("tidemark-hub-admissions"));
        ResyncGate gate = new ResyncGate(this.cluster, admissionThreads);
        this.streamers = new SnapshotStreamers(requireNonNull(snapshots, "snapshots is null"), changeLog, config,
                refreshes);
        LiveEdge edge = new LiveEdge(tail, refreshes);
        LogPages pages = new LogPages(changeLog, readers, tail, metrics);
        OutboxFactory outboxes = new OutboxFactory(config, edge, pages,
                new BatchAssembler(config.batchMaxChanges(), config.batchMaxBytes()), metrics, codec,
                streamers.available());
        this.sessions = new SessionFactory(config, registry, pages, edge, gate, streamers, outboxes, metrics, codec,
                clock, progress, health, claims);
        Gauge.builder("tidemark.hub.resync.waiting", gate, ResyncGate::waitingCount)
                .description("clients told to come back later for their resync snapshot")
                .strongReference(true).register(meters);
        Gauge.builder("tidemark.hub.sessions", registry, SessionRegistry::size)
                .description("clients streaming").strongReference(true).register(meters);
        Gauge.builder("tidemark.hub.live.buffer.bytes", tail, LiveTail::bytes).baseUnit("bytes")
                .description("estimated bytes of captured ranges kept for live clients")
                .strongReference(true).register(meters);
        Gauge.builder("tidemark.hub.outbound.pending.bytes", this, Hub::pendingOutboundBytes).baseUnit("bytes")
                .description("bytes written to client connections and not yet to their sockets")
                .strongReference(true).register(meters);
        Gauge.builder("tidemark.hub.lag.max.bytes", this, Hub::maxLag).baseUnit("bytes")
                .description("largest WAL distance between the capture position and a client's acked LSN")
                .strongReference(true).register(meters);
    }

    /**
     * The tip moved: the sessions hear of it once the refresh markers up to it are known (told by capture with the
     * range, on the node that captures; else loaded from the log first).
     */
    private void tipMoved() {
        if (refreshes.request(tail.tip())) {
            registry.notifyAllSessions();
        }
    }

    /** Subscribes to the feed, reads the log's state and starts the progress and history timers. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        feed.subscribe(captured);
        cluster.start(claims);
        checkHistory();
        long flush = config.progressFlushInterval().toMillis();
        timer.scheduleWithFixedDelay(surviving("the progress flush", this::flushProgress), flush, flush,
                TimeUnit.MILLISECONDS);
        long check = config.historyCheckInterval().toMillis();
        timer.scheduleWithFixedDelay(surviving("the history check", this::checkHistory), check, check,
                TimeUnit.MILLISECONDS);
    }

    /** A periodic task that an exception does not cancel (a scheduled executor drops a task that throws). */
    private static Runnable surviving(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("{} failed; it runs again at its next interval", what, e);
            }
        };
    }

    /**
     * Opens the session of a new connection. Call on {@code channel.executor()}; hand it the connection's
     * messages and events from then on.
     */
    public ClientSession open(ClientChannel channel, ConnectionRequest request) {
        return sessions.open(channel, request);
    }

    /** True once the change log answered with a history: clients can be served. */
    public boolean isReady() {
        return ready;
    }

    /** What capture reports about the completeness of the captured data ({@code /readyz} shows it). */
    public CaptureHealth captureHealth() {
        return health;
    }

    /** A snapshot of the streaming session of {@code clientId}, if connected. */
    public Optional<SessionStats> stats(String clientId) {
        ClientSession session = registry.get(clientId);
        if (session == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(session.stats().get(5, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("session of client '" + clientId + "' did not answer", e);
        }
    }

    /**
     * An operator's verify of a connected client against the source ({@code tidemark audit}): the same flow as the
     * client's {@code source_verify} (protocol.md, "Verify against the source"); the client hears the result too.
     * Empty when the client is not connected to this server.
     *
     * @param entityTypes the types to verify; empty for every type the client receives
     */
    public Optional<java.util.concurrent.CompletableFuture<dev.tidemark.protocol.SourceVerifyResult>> auditAgainstSource(
            String clientId, java.util.List<String> entityTypes) {
        ClientSession session = registry.get(clientId);
        return session == null ? Optional.empty() : Optional.of(session.auditAgainstSource(entityTypes));
    }

    /** The ids of the clients streaming from this node now (a copy; {@code tidemark status} lists them per node). */
    public java.util.Set<String> clientIds() {
        return registry.all().stream().map(ClientSession::clientId)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** Clients streaming now. */
    public int sessionCount() {
        return registry.size();
    }

    /** Writes recorded client progress now (also done every {@code progressFlushInterval}). */
    public void flushProgress() {
        progress.flush();
    }

    private void checkHistory() {
        Optional<HistoryState> state;
        try {
            state = changeLog.state();
        } catch (RuntimeException e) {
            if (ready) {
                log.warn("the change log's state cannot be read; not ready: {}", e.toString());
            }
            ready = false;
            return;
        }
        if (state.isEmpty()) {
            ready = false;
            return;
        }
        HistoryState server = state.get();
        String known = historyId;
        if (known != null && !known.equals(server.historyId())) {
            log.warn("the change log started a new history '{}' (was '{}'): every client must resync",
                    server.historyId(), known);
            refreshes.reset();
            tail.reset(server.capturePosition());
            refreshes.request(server.capturePosition());
            for (ClientSession session : registry.all()) {
                session.executor().execute(() -> session.historyReset(server));
            }
        }
        historyId = server.historyId();
        tail.advanceTip(server.capturePosition());
        ready = true;
        checkCaptureHealth();
    }

    /** Tells the sessions when the set of incomplete entity types changed. */
    private void checkCaptureHealth() {
        java.util.Set<String> incomplete;
        try {
            incomplete = health.incompleteEntityTypes();
        } catch (RuntimeException e) {
            log.warn("capture health could not be read: {}", e.toString());
            return;
        }
        if (!incomplete.equals(lastIncomplete)) {
            lastIncomplete = java.util.Set.copyOf(incomplete);
            for (ClientSession session : registry.all()) {
                session.executor().execute(session::captureHealthChanged);
            }
        }
    }

    private volatile java.util.Set<String> lastIncomplete = java.util.Set.of();

    private double pendingOutboundBytes() {
        long total = 0;
        for (ClientSession session : registry.all()) {
            total += session.pendingOutboundBytes();
        }
        return total;
    }

    private double maxLag() {
        long tip = tail.tip().value();
        long max = 0;
        for (ClientSession session : registry.all()) {
            long lag = tip - session.ackedValue();
            if (Long.compareUnsigned(lag, max) > 0 && Long.compareUnsigned(tip, session.ackedValue()) > 0) {
                max = lag;
            }
        }
        return max;
    }

    /** Stops the timers and readers, writes the last progress; connections are closed by the endpoint. */
    @Override
    public synchronized void close() {
        feed.unsubscribe(captured);
        timer.shutdownNow();
        streamers.close();
        readers.shutdownNow();
        markerLoader.shutdownNow();
        claimThread.shutdownNow();
        admissionThreads.shutdownNow();
        try {
            readers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushProgress();
        tail.close();
        cluster.close();
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
