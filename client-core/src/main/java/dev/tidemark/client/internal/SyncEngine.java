package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.protocol.Welcome;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running client: the transport stage (a Netty event loop owning the connection) and the applier
 * stage (one thread, the store's only writer), joined by the {@link Inbox}, plus the connection's
 * life — connect, reconnect with backoff, stop on a resync verdict or a refusal for good.
 *
 * <p>The connection's bookkeeping runs on the event loop; the applier reports through
 * {@link ApplierEvents}; the application hears about it through an {@link EngineListener}.
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
    private final Inbox inbox;
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final TransportEvents transportEvents = new OnTransport();

    private volatile Connection current;
    private volatile Lsn eagerResume;
    private volatile String clientId;
    private volatile Applier applier;
    private volatile Thread applierThread;

    // Event loop only.
    private int failedAttempts;
    private ScheduledFuture<?> reconnect;

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
        this.inbox = new Inbox(config.receiveBuffer(), new PauseReading());
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
        Lsn committed = store.committedLsn();
        boolean verify = false;
        Optional<Lsn> pending = store.pendingLsn();
        if (pending.isPresent() && !pending.get().equals(committed)) {
            log.warn("the store holds a pending marker at {} but is committed at {}: an apply was interrupted"
                    + " (the store rolled it back). The client verifies its position with the server after"
                    + " connecting.", pending.get(), committed);
            verify = true;
        } else if (pending.isPresent()) {
            store.clearPending();
        }
        status.position(committed, store.historyId().orElse(null));
        Applier created = new Applier(store, clientId, config.eager(), config.subscriptions(), inbox,
                new OnApplier(), verify);
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
        transport.execute(() -> {
            cancelReconnect();
            Connection connection = current;
            if (connection != null) {
                connection.close(1000, "client closing");
            }
        });
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

    // ---- connection life (event loop) ----------------------------------------------------------

    private void openConnection() {
        if (closed.get() || status.state().isTerminal()) {
            return;
        }
        status.moveTo(EngineState.CONNECTING);
        ChannelFuture connecting = transport.connect(new ClientChannelInitializer(config, transport.ssl(),
                this::newConnection, codec, transportEvents));
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                Connection failed = current;
                if (failed != null && failed.channel() == connecting.channel()) {
                    current = null;
                }
                connectionEnded("cannot connect to " + config.serverUri() + ": " + done.cause().getMessage(), false);
            }
        });
    }

    private Connection newConnection(SocketChannel channel) {
        Connection connection = new Connection(connectionIds.incrementAndGet(), channel, clientId, config.eager(), codec);
        current = connection;
        return connection;
    }

    private void connectionEnded(String reason, boolean refusedForGood) {
        if (closed.get() || status.state().isTerminal()) {
            return;
        }
        if (refusedForGood) {
            fail(reason);
            return;
        }
        Duration delay = config.backoff().delay(failedAttempts, ThreadLocalRandom.current().nextDouble());
        failedAttempts = Math.min(failedAttempts + 1, 62);
        log.warn("{}; reconnecting in {} ms", reason, delay.toMillis());
        notifier.error(new EngineError(ErrorKind.CONNECTION, reason + "; reconnecting in " + delay.toMillis() + " ms",
                null));
        status.moveTo(EngineState.BACKING_OFF);
        cancelReconnect();
        // The next connection opens once the applier has handled everything received before, so its hello
        // carries the committed LSN after that work, not a guess.
        reconnect = transport.schedule(() -> inbox.put(new Inbound.ConnectNow()), delay);
    }

    private void cancelReconnect() {
        if (reconnect != null) {
            reconnect.cancel(false);
            reconnect = null;
        }
    }

    /** The server refused the client for good: stop, do not reconnect. */
    private void fail(String reason) {
        if (status.moveTo(EngineState.FAILED, () -> notifier.error(new EngineError(ErrorKind.REFUSED, reason, null)))) {
            log.error("the client stopped: {}", reason);
            transport.execute(this::stopStreaming);
        }
    }

    /**
     * The server cannot continue from the store's position. For now the client stops streaming and
     * leaves the store as it is — consistent at its committed LSN. This is the seam where resync
     * (a snapshot, then the tail) plugs in.
     */
    private void resyncRequired(String reason) {
        EngineStatus now = status.snapshot();
        String message = "the store (at " + now.committedLsn() + " in history "
                + (now.historyId() == null ? "(none)" : "'" + now.historyId() + "'")
                + ") must be resynced: " + reason + ". The client stopped streaming; the store is left"
                + " consistent at its committed LSN. Sync into a new store, or resync this one.";
        if (status.moveTo(EngineState.RESYNC_REQUIRED,
                () -> notifier.error(new EngineError(ErrorKind.RESYNC_REQUIRED, message, null)))) {
            log.error(message);
            transport.execute(this::stopStreaming);
        }
    }

    private void stopStreaming() {
        cancelReconnect();
        Connection connection = current;
        if (connection != null) {
            connection.close(1000, "client stopped: " + status.state());
        }
    }

    /** Stops reading from the current connection while the applier is behind. */
    private final class PauseReading implements FlowControl {
        @Override
        public void pause() {
            Connection connection = current;
            if (connection != null) {
                connection.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void resume() {
            Connection connection = current;
            if (connection != null) {
                connection.channel().config().setAutoRead(true);
            }
        }
    }

    /** The transport's reports, on the event loop. */
    private final class OnTransport implements TransportEvents {

        @Override
        public void opened(Connection connection) {
            if (closed.get() || status.state().isTerminal()) {
                connection.close(1000, "client stopped");
                return;
            }
            inbox.put(new Inbound.Opened(connection));
        }

        @Override
        public void received(Connection connection, Message message) {
            if (message instanceof Changes changes) {
                status.serverSeen(changes.lsn());
                if (config.eager() && changes.completesBatch()) {
                    connection.received(changes.lsn());
                }
                inbox.put(Inbound.Received.of(connection, message));
            } else if (message instanceof Welcome welcome) {
                status.serverSeen(welcome.serverLsn());
                inbox.put(Inbound.Received.of(connection, message));
            } else if (message instanceof SyncVerifyResult result) {
                status.serverSeen(result.serverLsn());
                boolean requested = connection.verifyAnswered(result);
                if (result.status() == VerifyStatus.RESYNC_REQUIRED) {
                    resyncRequired("the server answered resync_required for position " + result.lsn()
                            + " (server at " + result.serverLsn() + ")");
                } else if (!requested) {
                    log.info("{}: the server says {} at {}", connection, result.status().wireName(), result.lsn());
                }
            } else if (message instanceof ErrorMessage error) {
                if (error.code() == ErrorCode.RESYNC_REQUIRED) {
                    resyncRequired(error.message());
                } else {
                    log.warn("{}: the server rejected a message: {}: {}", connection, error.code().wireName(),
                            error.message());
                    notifier.error(new EngineError(ErrorKind.SERVER_ERROR, "the server rejected a message: "
                            + error.code().wireName() + ": " + error.message(), null));
                }
            } else {
                String problem = "a client does not accept '" + message.type() + "' messages";
                connection.send(new ErrorMessage(ErrorCode.UNEXPECTED_MESSAGE, problem));
                malformed(connection, "the server sent '" + message.type() + "', which only clients send");
            }
        }

        @Override
        public void malformed(Connection connection, String problem) {
            log.warn("{}: {}", connection, problem);
            notifier.error(new EngineError(ErrorKind.PROTOCOL, problem, null));
        }

        @Override
        public void closed(Connection connection) {
            String reason = connection.closeReason();
            connection.failVerifies(reason);
            if (config.eager()) {
                Lsn received = connection.resumePosition();
                if (received != null) {
                    eagerResume = eagerResume == null ? received : Lsn.max(eagerResume, received);
                }
            }
            inbox.put(new Inbound.Closed(connection, reason));
            if (current == connection) {
                current = null;
            }
            connectionEnded(reason, connection.refused());
        }
    }

    /** The applier's reports, on the applier thread. */
    private final class OnApplier implements ApplierEvents {

        @Override
        public void welcomed(Connection connection, Welcome welcome, Lsn committed, String historyId) {
            connection.welcomed();
            status.position(committed, historyId);
            status.serverSeen(welcome.serverLsn());
            transport.execute(() -> failedAttempts = 0);
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
        public void resyncRequired(Connection connection, String reason) {
            SyncEngine.this.resyncRequired(reason);
        }

        @Override
        public void refusedForGood(Connection connection, String reason) {
            fail(reason);
        }

        @Override
        public void eagerBatchLost(Connection connection) {
            transport.execute(() -> {
                connection.forgetReceived();
                eagerResume = null;
                if (connection.isOpen()) {
                    connection.close(1000, "a received batch was not applied");
                }
            });
        }

        @Override
        public Lsn eagerResumePosition() {
            return eagerResume;
        }

        @Override
        public void connectNow() {
            transport.execute(SyncEngine.this::openConnection);
        }

        @Override
        public void failed(Connection connection, String what, RuntimeException cause) {
            ErrorKind kind = cause instanceof SyncStoreException ? ErrorKind.STORE_FAILURE : ErrorKind.PROTOCOL;
            String message = what + " failed: " + cause.getMessage();
            log.error(message, cause);
            notifier.error(new EngineError(kind, message, cause));
            if (connection != null) {
                transport.execute(() -> connection.abort(message));
            }
        }
    }
}
