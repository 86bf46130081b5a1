package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.client.status.AppliedBatch;
import dev.tidemark.client.status.SyncError;
import dev.tidemark.client.status.SyncListener;
import dev.tidemark.client.status.SyncStatus;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.SourceVerifyResult;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.recovery.InterruptedApply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running client: the transport stage (a Netty event loop owning the connection, whose life the
 * {@link ConnectionSupervisor} runs, and the client's state) and the applier stage (one thread, the
 * store's only writer), joined by the {@link Inbox}. The applier reports what it did; whatever changes
 * the client's state is handed to the event loop, where the {@link StatusBoard} alone changes it.
 */
public final class SyncEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);
    private static final Duration APPLIER_STOP_WAIT = Duration.ofSeconds(30);

    private final EngineConfig config;
    private final SyncStore store;
    private final boolean ownsStore;
    private final String clientId;
    private final MessageCodec codec = new MessageCodec();
    private final Notifier notifier;
    private final StatusBoard status;
    private final WebSocketTransport transport;
    private final ConnectionSupervisor supervisor;
    private final Inbox inbox;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private volatile Applier applier;
    private volatile Thread applierThread;

    /**
     * Resolves the client id: the configured one, else the one kept in the store (created there on first use).
     *
     * @param config the settings
     * @param store the store to sync into
     * @param ownsStore whether {@link #close()} closes the store
     * @param listeners told about state changes, applied batches and errors, in this order
     * @throws SyncStoreException when the store cannot be read
     */
    public SyncEngine(EngineConfig config, SyncStore store, boolean ownsStore, List<SyncListener> listeners) {
        this.config = requireNonNull(config, "config is null");
        this.store = requireNonNull(store, "store is null");
        this.ownsStore = ownsStore;
        this.clientId = config.clientId() != null ? config.clientId() : ClientIdentity.resolve(store);
        this.notifier = new Notifier(listeners);
        this.transport = new WebSocketTransport(config);
        this.status = new StatusBoard(notifier, () -> transport.inLoop() || transport.shuttingDown());
        this.supervisor = new ConnectionSupervisor(config, transport, codec, status, notifier, closed::get);
        this.inbox = supervisor.inbox();
        status.clientId(clientId);
        supervisor.clientId(clientId);
    }

    /**
     * Reads the position from the store, starts the applier and the first connection.
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
        Lsn committed = store.committedLsn();
        Optional<InterruptedApply> interrupted = InterruptedApply.detect(committed, store.pendingLsn());
        interrupted.ifPresent(found -> log.warn(found.describe()));
        if (interrupted.isEmpty() && store.pendingLsn().isPresent()) {
            store.clearPending();
        }
        Applier created = new Applier(store, clientId, config.acks(), config.subscriptions(), inbox,
                new OnApplier(), interrupted.isPresent());
        created.recoverResync().ifPresent(log::warn);
        committed = store.committedLsn();
        status.position(committed, store.historyId().orElse(null));
        applier = created;
        Thread thread = new Thread(created, "tidemark-applier");
        applierThread = thread;
        String warning = config.acks().startupWarning();
        if (warning != null) {
            log.warn(warning);
        }
        log.info("client '{}' syncing from {} into a store at {}", clientId,
                config.serverUris().size() == 1 ? config.serverUri() : config.serverUris(), committed);
        transport.runAndWait(() -> status.on(ClientEvent.START));
        thread.start();
        inbox.put(new Inbound.ConnectNow());
    }

    /** The client id. */
    public String clientId() {
        return clientId;
    }

    /** The current progress. */
    public SyncStatus status() {
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
    public CompletableFuture<SourceVerifyResult> verifySource(List<String> entityTypes, Consumer<String> progress) {
        CompletableFuture<SourceVerifyResult> result = new CompletableFuture<>();
        if (!started.get() || closed.get()) {
            result.completeExceptionally(new IllegalStateException("the client is not running; start it first"));
        } else {
            inbox.put(new Inbound.SourceVerifyRequested(new SourceVerifier.Request(entityTypes, result, progress)));
        }
        return result;
    }

    /** Completes once connected with everything up to the server position seen applied. */
    public CompletableFuture<SyncStatus> caughtUp() {
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
        transport.runAndWait(() -> status.on(ClientEvent.CLOSE));
        transport.shutdown(Duration.ofSeconds(5));
        notifier.close(2000);
        if (ownsStore) {
            store.close();
        }
    }

    /** The applier's reports, on the applier thread; state changes go to the event loop. */
    private final class OnApplier implements ApplierEvents {

        @Override
        public void welcomed(Connection connection, Welcome welcome, Lsn committed, String historyId) {
            connection.welcomed();
            status.position(committed, historyId);
            status.serverSeen(welcome.serverLsn());
            log.info("{}: connected as '{}': server at {}, store at {}, window {}", connection, clientId,
                    welcome.serverLsn(), committed, welcome.window());
            transport.execute(() -> supervisor.welcomed(connection));
        }

        @Override
        public void applied(BatchHeader header, int changes, int parts, Instant lastSourceCommit) {
            status.committed(header.lsn(), changes, lastSourceCommit);
            notifier.batchApplied(new AppliedBatch(header.batchId(), header.prevLsn(), header.lsn(), changes, parts));
        }

        @Override
        public void refused(BatchHeader header, SyncError.Kind kind, String message, Throwable cause) {
            notifier.error(new SyncError(kind, message, cause));
        }

        @Override
        public void resyncStarted(Connection connection, Lsn snapshotLsn, String historyId) {
            status.position(Lsn.ZERO, historyId);
            transport.execute(() -> supervisor.onCurrent(connection, ClientEvent.RESYNC_STARTED));
        }

        @Override
        public void resyncFinished(Connection connection, Lsn snapshotLsn, String historyId) {
            status.position(snapshotLsn, historyId);
            transport.execute(() -> supervisor.onCurrent(connection, ClientEvent.RESYNC_FINISHED));
        }

        @Override
        public void snapshotDone() {
            status.snapshot(null);
        }

        @Override
        public void resyncRequired(Connection connection, String reason) {
            transport.execute(() -> supervisor.resyncRequired(reason));
        }

        @Override
        public void refusedForGood(Connection connection, String reason) {
            transport.execute(() -> supervisor.fail(reason));
        }

        @Override
        public void connectNow() {
            supervisor.connectNow();
        }

        @Override
        public void failed(Connection connection, String what, RuntimeException cause) {
            SyncError.Kind kind = cause instanceof SyncStoreException
                    ? SyncError.Kind.STORE_FAILURE : SyncError.Kind.PROTOCOL;
            String message = what + " failed: " + cause.getMessage();
            log.error(message, cause);
            notifier.error(new SyncError(kind, message, cause));
            if (connection != null) {
                supervisor.abort(connection, message);
            }
        }
    }
}
