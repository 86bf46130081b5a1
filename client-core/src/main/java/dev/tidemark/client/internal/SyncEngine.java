package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.recovery.InterruptedApply;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running client: the transport stage (a Netty event loop owning the connection, whose life the
 * {@link ConnectionSupervisor} runs) and the applier stage (one thread, the store's only writer),
 * joined by the {@link Inbox}. The application hears about it through an {@link EngineListener}.
 */
public final class SyncEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);
    private static final Duration APPLIER_STOP_WAIT = Duration.ofSeconds(30);

    private final EngineConfig config;
    private final SyncStore store;
    private final boolean ownsStore;
    private final MessageCodec codec = new MessageCodec();
    private final Notifier notifier;
    private final StatusBoard status;
    private final WebSocketTransport transport;
    private final ConnectionSupervisor supervisor;
    private final Inbox inbox;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private volatile String clientId;
    private volatile Applier applier;
    private volatile Thread applierThread;

    /**
     * @param config the settings
     * @param store the store to sync into
     * @param ownsStore whether {@link #close()} closes the store
     * @param listener told about state changes, applied batches and errors
     */
    public SyncEngine(EngineConfig config, SyncStore store, boolean ownsStore, EngineListener listener) {
        this.config = requireNonNull(config, "config is null");
        this.store = requireNonNull(store, "store is null");
        this.ownsStore = ownsStore;
        this.notifier = new Notifier(listener);
        this.status = new StatusBoard(notifier);
        this.transport = new WebSocketTransport(config);
        this.supervisor = new ConnectionSupervisor(config, transport, codec, status, notifier, closed::get);
        this.inbox = supervisor.inbox();
    }

    /**
     * Reads the client id and position from the store, starts the applier and the first connection.
     *
     * @throws SyncStoreException when the store cannot be read
     * @throws IllegalStateException when started twice or after close
     */
    public void start() {
        if (closed.get()) {
            throw new IllegalStateException("the client is closed; build a new one");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the client is already started");
        }
        clientId = config.clientId() != null ? config.clientId() : ClientIdentity.resolve(store);
        status.clientId(clientId);
        supervisor.clientId(clientId);
        Lsn committed = store.committedLsn();
        Optional<InterruptedApply> interrupted = InterruptedApply.detect(committed, store.pendingLsn());
        interrupted.ifPresent(found -> log.warn(found.describe()));
        if (interrupted.isEmpty() && store.pendingLsn().isPresent()) {
            store.clearPending();
        }
        Applier created = new Applier(store, clientId, config.eager(), config.subscriptions(), inbox,
                new OnApplier(), interrupted.isPresent());
        created.recoverResync().ifPresent(log::warn);
        committed = store.committedLsn();
        status.position(committed, store.historyId().orElse(null));
        applier = created;
        Thread thread = new Thread(created, "tidemark-applier");
        applierThread = thread;
        if (config.eager()) {
            log.warn("eager mode: the position is taken on receipt and nothing is acknowledged. This is the"
                    + " unsafe pre-ack behaviour, kept only as a fallback.");
        }
        log.info("client '{}' syncing from {} into a store at {}", clientId, config.serverUri(), committed);
        status.moveTo(EngineState.CONNECTING);
        thread.start();
        inbox.put(new Inbound.ConnectNow());
    }

    /** The client id, once started. */
    public String clientId() {
        return clientId;
    }

    /** The current progress. */
    public EngineStatus status() {
        return status.snapshot();
    }

    /**
     * Sends {@code sync_verify} with the store's committed LSN and checksum; completes with the
     * server's answer, or exceptionally when not connected or the connection is lost first. A
     * {@code resync_required} answer also stops streaming.
     */
    public CompletableFuture<SyncVerifyResult> verify() {
        CompletableFuture<SyncVerifyResult> result = new CompletableFuture<>();
        if (!started.get() || closed.get()) {
            result.completeExceptionally(new IllegalStateException("the client is not running; start it first"));
        } else {
            inbox.put(new Inbound.VerifyRequested(result));
        }
        return result;
    }

    /**
     * Verifies the store against the source (protocol.md, "Verify against the source"): the server streams the
     * client to a position P, both sides digest the entity types at P, and the entities that differ are
     * repaired by one batch. Completes with the server's result once any repair is committed; exceptionally
     * when not connected or the connection is lost first.
     *
     * @param entityTypes the types to verify; empty for every type the client receives
     * @param progress told what is happening, on the applier thread (keep it short)
     */
    public CompletableFuture<dev.tidemark.protocol.SourceVerifyResult> verifySource(java.util.List<String> entityTypes,
            java.util.function.Consumer<String> progress) {
        CompletableFuture<dev.tidemark.protocol.SourceVerifyResult> result = new CompletableFuture<>();
        if (!started.get() || closed.get()) {
            result.completeExceptionally(new IllegalStateException("the client is not running; start it first"));
        } else {
            inbox.put(new Inbound.SourceVerifyRequested(new SourceVerifier.Request(entityTypes, result, progress)));
        }
        return result;
    }

    /** Completes once connected with everything up to the server position seen applied. */
    public CompletableFuture<EngineStatus> caughtUp() {
        return status.caughtUp();
    }

    /**
     * Stops: an unfinished multi-part batch rolls back, the connection closes, the store is closed
     * when the engine owns it. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        log.info("closing client '{}'", clientId);
        Applier running = applier;
        if (running != null) {
            running.stop();
            inbox.put(new Inbound.Stop());
        }
        supervisor.shutdown();
        Thread thread = applierThread;
        if (thread != null) {
            try {
                thread.join(APPLIER_STOP_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                log.warn("the applier is still in a store call after {} s; closing without waiting",
                        APPLIER_STOP_WAIT.toSeconds());
            }
        }
        transport.shutdown(Duration.ofSeconds(5));
        status.moveTo(EngineState.CLOSED);
        notifier.close(2000);
        if (ownsStore) {
            store.close();
        }
    }

    /** The applier's reports, on the applier thread. */
    private final class OnApplier implements ApplierEvents {

        @Override
        public void welcomed(Connection connection, Welcome welcome, Lsn committed, String historyId) {
            connection.welcomed();
            status.position(committed, historyId);
            status.serverSeen(welcome.serverLsn());
            supervisor.welcomed();
            log.info("{}: connected as '{}': server at {}, store at {}, window {}", connection, clientId,
                    welcome.serverLsn(), committed, welcome.window());
            status.moveTo(EngineState.CONNECTED);
        }

        @Override
        public void applied(BatchHeader header, int changes, int parts, Instant lastSourceCommit) {
            status.committed(header.lsn(), changes, lastSourceCommit);
            notifier.batchApplied(header, changes, parts);
        }

        @Override
        public void refused(BatchHeader header, ErrorKind kind, String message, Throwable cause) {
            notifier.error(new EngineError(kind, message, cause));
        }

        @Override
        public void resyncStarted(Connection connection, Lsn snapshotLsn, String historyId) {
            status.position(Lsn.ZERO, historyId);
            status.moveTo(EngineState.RESYNCING);
        }

        @Override
        public void resyncFinished(Connection connection, Lsn snapshotLsn, String historyId) {
            status.position(snapshotLsn, historyId);
            status.moveTo(EngineState.CONNECTED);
        }

        @Override
        public void snapshotDone() {
            status.snapshot(null);
        }

        @Override
        public void resyncRequired(Connection connection, String reason) {
            supervisor.resyncRequired(reason);
        }

        @Override
        public void refusedForGood(Connection connection, String reason) {
            supervisor.fail(reason);
        }

        @Override
        public void eagerBatchLost(Connection connection) {
            supervisor.eagerBatchLost(connection);
        }

        @Override
        public Lsn eagerResumePosition() {
            return supervisor.eagerResumePosition();
        }

        @Override
        public void connectNow() {
            supervisor.connectNow();
        }

        @Override
        public void failed(Connection connection, String what, RuntimeException cause) {
            ErrorKind kind = cause instanceof SyncStoreException ? ErrorKind.STORE_FAILURE : ErrorKind.PROTOCOL;
            String message = what + " failed: " + cause.getMessage();
            log.error(message, cause);
            notifier.error(new EngineError(kind, message, cause));
            if (connection != null) {
                supervisor.abort(connection, message);
            }
        }
    }
}
