package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.status.SnapshotProgress;
import dev.tidemark.client.status.SyncError;
import dev.tidemark.client.status.SyncStatus;
import dev.tidemark.protocol.CaptureStatus;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.protocol.Welcome;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of the connection, on the transport's event loop: opens it, routes what it receives (batches
 * and {@code welcome} to the applier through the {@link Inbox}, verify answers to their requests),
 * reconnects with backoff when it ends — once the applier has handled everything received before —
 * and stops for good on a refusal or a resync verdict. It also pauses reading while the applier is
 * behind. It reports what changes the client's state to the {@link StatusBoard} as {@link ClientEvent}s;
 * everything here runs on the event loop, which owns that state, unless a method says otherwise.
 */
final class ConnectionSupervisor {

    private static final Logger log = LoggerFactory.getLogger(ConnectionSupervisor.class);

    private final EngineConfig config;
    private final AckPolicy acks;
    private final WebSocketTransport transport;
    private final MessageCodec codec;
    private final StatusBoard status;
    private final Notifier notifier;
    private final BooleanSupplier closed;
    private final Inbox inbox;
    private final TransportEvents transportEvents = new OnTransport();
    private final AtomicInteger connectionIds = new AtomicInteger();

    private volatile String clientId;
    private volatile Connection current;

    // Event loop only.
    private final ServerRotation servers;
    /** The node the connection being opened goes to. */
    private URI connecting;
    /** The last failure (node and reason) since the client was last welcomed, or null; logged with the move. */
    private String lastFailure;
    private URI lastFailed;
    private ScheduledFuture<?> reconnect;
    /** The server paced this client's resync: reconnect after this long instead of the backoff; or null. */
    private Duration resyncRetryAfter;

    ConnectionSupervisor(EngineConfig config, WebSocketTransport transport, MessageCodec codec, StatusBoard status,
                         Notifier notifier, BooleanSupplier closed) {
        this.config = requireNonNull(config, "config is null");
        this.acks = config.acks();
        this.transport = requireNonNull(transport, "transport is null");
        this.codec = requireNonNull(codec, "codec is null");
        this.status = requireNonNull(status, "status is null");
        this.notifier = requireNonNull(notifier, "notifier is null");
        this.closed = requireNonNull(closed, "closed is null");
        this.inbox = new Inbox(config.receiveBuffer(), new PauseReading());
        this.servers = new ServerRotation(config.serverUris());
    }

    /** The queue to the applier. */
    Inbox inbox() {
        return inbox;
    }

    /** The client id connections say hello with; set before the first connection. */
    void clientId(String clientId) {
        this.clientId = requireNonNull(clientId, "clientId is null");
    }

    /** Opens the next connection (the applier has handled everything received before). Any thread. */
    void connectNow() {
        transport.execute(this::openConnection);
    }

    /**
     * The applier handled the server's {@code welcome} on {@code connection}: the next loss starts the backoff
     * from its first delay, and the client is connected unless the connection ended meanwhile.
     */
    void welcomed(Connection connection) {
        if (current != connection) {
            onCurrent(connection, ClientEvent.WELCOMED);
            return;
        }
        servers.connected();
        if (lastFailed != null && !lastFailed.equals(connecting)) {
            log.info("connected to {} after {} failed: {}", connecting, lastFailed, lastFailure);
        }
        lastFailed = null;
        lastFailure = null;
        onCurrent(connection, ClientEvent.WELCOMED);
    }

    /** Reports {@code event} of {@code connection} unless another connection (or none) is current by now. */
    void onCurrent(Connection connection, ClientEvent event) {
        if (current == connection) {
            status.on(event);
        } else {
            log.debug("{}: {} ignored: the connection has ended", connection, event);
        }
    }

    /** Drops {@code connection} after the applier failed unexpectedly; the usual reconnect follows. */
    void abort(Connection connection, String reason) {
        transport.execute(() -> connection.abort(reason));
    }

    /** Stops: no reconnect, the current connection closes normally. Any thread. */
    void shutdown() {
        transport.execute(() -> {
            cancelReconnect();
            Connection connection = current;
            if (connection != null) {
                connection.close(1000, "client closing");
            }
        });
    }

    private void openConnection() {
        if (closed.getAsBoolean() || status.state().isTerminal() || !status.on(ClientEvent.CONNECT)) {
            return;
        }
        URI server = servers.current();
        connecting = server;
        status.server(server);
        ChannelFuture opening = transport.connect(server, new ClientChannelInitializer(config, server, transport.ssl(),
                this::newConnection, codec, transportEvents));
        opening.addListener(done -> {
            if (!done.isSuccess()) {
                Connection failed = current;
                if (failed != null && failed.channel() == opening.channel()) {
                    current = null;
                }
                connectionEnded("cannot connect to " + server + ": " + done.cause().getMessage(), false);
            }
        });
    }

    private Connection newConnection(SocketChannel channel) {
        Connection connection = new Connection(connectionIds.incrementAndGet(), channel, clientId, codec);
        current = connection;
        return connection;
    }

    private void connectionEnded(String reason, boolean refusedForGood) {
        if (closed.getAsBoolean() || status.state().isTerminal()) {
            return;
        }
        if (refusedForGood) {
            fail(reason);
            return;
        }
        if (resyncRetryAfter != null) {
            // The same node: the server admits resyncs at a paced rate, whichever node the client is on.
            Duration delay = resyncRetryAfter;
            resyncRetryAfter = null;
            log.info("the server admits resyncs at a paced rate: coming back in {} ms", delay.toMillis());
            status.on(ClientEvent.RESYNC_PACED);
            cancelReconnect();
            reconnect = transport.schedule(() -> inbox.put(new Inbound.ConnectNow()), delay);
            return;
        }
        URI failed = connecting;
        lastFailed = failed;
        lastFailure = reason;
        Duration delay;
        String next;
        if (servers.failed()) {
            delay = config.backoff().delay(servers.failedRounds(), ThreadLocalRandom.current().nextDouble());
            servers.roundWaited();
            next = servers.several() ? "every server failed; reconnecting to " + servers.current() + " in "
                    + delay.toMillis() + " ms" : "reconnecting in " + delay.toMillis() + " ms";
            log.warn("{}; {}", reason, next);
        } else {
            delay = Duration.ZERO;
            next = "trying " + servers.current() + " now";
            log.info("{}; {}", reason, next);
        }
        notifier.error(new SyncError(SyncError.Kind.CONNECTION, reason + "; " + next, null));
        status.on(ClientEvent.CONNECTION_LOST);
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
    void fail(String reason) {
        if (status.on(ClientEvent.REFUSED, () -> notifier.error(new SyncError(SyncError.Kind.REFUSED, reason, null)))) {
            log.error("the client stopped: {}", reason);
            stopStreaming();
        }
    }

    /**
     * The server cannot continue from the store's position. For now the client stops streaming and
     * leaves the store as it is — consistent at its committed LSN. This is the seam where resync
     * (a snapshot, then the tail) plugs in.
     */
    void resyncRequired(String reason) {
        SyncStatus now = status.snapshot();
        String message = "the store (at " + now.committedLsn() + " in history "
                + (now.historyId() == null ? "(none)" : "'" + now.historyId() + "'")
                + ") must be resynced: " + reason + ". The client stopped streaming; the store is left"
                + " consistent at its committed LSN. Sync into a new store, or resync this one.";
        if (status.on(ClientEvent.RESYNC_REQUIRED,
                () -> notifier.error(new SyncError(SyncError.Kind.RESYNC_REQUIRED, message, null)))) {
            log.error(message);
            stopStreaming();
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
            if (closed.getAsBoolean() || status.state().isTerminal()) {
                connection.close(1000, "client stopped");
                return;
            }
            inbox.put(new Inbound.Opened(connection));
        }

        @Override
        public void received(Connection connection, Message message) {
            if (message instanceof Changes changes) {
                status.serverSeen(changes.lsn());
                if (changes.snapshot() != null) {
                    status.snapshot(changes.completesBatch() ? null : new SnapshotProgress(
                            changes.snapshot().entityTypes(), changes.snapshot().rowsSent(),
                            changes.snapshot().rowsEstimated()));
                }
                acks.received(connection, changes);
                inbox.put(Inbound.Received.of(connection, message));
            } else if (message instanceof CaptureStatus capture) {
                status.incomplete(capture.incompleteEntityTypes());
                if (capture.incompleteEntityTypes().isEmpty()) {
                    log.info("{}: every entity type of this client is captured completely again", connection);
                } else {
                    log.warn("{}: the server cannot capture {} correctly now: the store's copy of them is not the"
                            + " source's, and the client is not caught up", connection, capture.incompleteEntityTypes());
                }
            } else if (message instanceof Welcome welcome) {
                status.serverSeen(welcome.serverLsn());
                status.incomplete(welcome.incompleteEntityTypes());
                if (!welcome.incompleteEntityTypes().isEmpty()) {
                    log.warn("{}: the server cannot capture {} correctly now: the store's copy of them is not the"
                            + " source's, and the client is not caught up", connection, welcome.incompleteEntityTypes());
                }
                inbox.put(Inbound.Received.of(connection, message));
            } else if (message instanceof SyncVerifyResult result) {
                status.serverSeen(result.serverLsn());
                boolean requested = connection.verifyAnswered(result);
                if (result.status() == VerifyStatus.RESYNC_REQUIRED && acks.serverResyncs()
                        && result.snapshotLsn() != null) {
                    // In order with the batches: the applier empties the store before the snapshot batch arrives.
                    inbox.put(Inbound.Received.of(connection, message));
                } else if (result.status() == VerifyStatus.RESYNC_REQUIRED && acks.serverResyncs()
                        && result.retryAfterMs() != null) {
                    resyncRetryAfter = Duration.ofMillis(result.retryAfterMs());
                    status.on(ClientEvent.RESYNC_PACED);
                    log.info("{}: the server must resync this client and asks it to come back in {} ms", connection,
                            result.retryAfterMs());
                } else if (result.status() == VerifyStatus.RESYNC_REQUIRED) {
                    resyncRequired("the server answered resync_required for position " + result.lsn()
                            + " (server at " + result.serverLsn() + ")");
                } else if (!requested) {
                    log.info("{}: the server says {} at {}", connection, result.status().wireName(), result.lsn());
                }
            } else if (message instanceof dev.tidemark.protocol.SourceDigest
                    || message instanceof dev.tidemark.protocol.SourceNarrow
                    || message instanceof dev.tidemark.protocol.SourceVerifyResult) {
                // In order with the batches: a digest is computed once every batch before it is applied.
                inbox.put(Inbound.Received.of(connection, message));
            } else if (message instanceof ErrorMessage error) {
                if (error.code() == ErrorCode.RESYNC_REQUIRED) {
                    resyncRequired(error.message());
                } else if (error.code() == ErrorCode.RATE_LIMITED) {
                    connection.verifyRefused(error.message());
                    log.warn("{}: the server refused sync_verify: {}", connection, error.message());
                } else {
                    log.warn("{}: the server rejected a message: {}: {}", connection, error.code().wireName(),
                            error.message());
                    notifier.error(new SyncError(SyncError.Kind.SERVER_ERROR, "the server rejected a message: "
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
            notifier.error(new SyncError(SyncError.Kind.PROTOCOL, problem, null));
        }

        @Override
        public void closed(Connection connection) {
            String reason = connection.closeReason();
            connection.failVerifies(reason);
            acks.closed(connection);
            inbox.put(new Inbound.Closed(connection, reason));
            if (current == connection) {
                current = null;
            }
            connectionEnded(reason, connection.refused());
        }
    }
}
