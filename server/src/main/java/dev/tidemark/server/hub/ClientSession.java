package dev.tidemark.server.hub;

import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.ProtocolException;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.server.spi.ClientProgress;
import dev.tidemark.server.spi.HistoryState;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the handshake ({@code hello} → {@code welcome}, or a legacy start), then the
 * client's messages ({@code sync_ack}, {@code sync_verify}) against its {@link Outbox}. Every method runs on
 * the connection's thread.
 */
public final class ClientSession {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    enum State { AWAITING_HELLO, STARTING, STREAMING, RESYNCING, RESYNC_REQUIRED, CLOSED }

    private final HubContext hub;
    private final ClientChannel channel;
    private final ConnectionRequest request;
    private State state = State.AWAITING_HELLO;
    private String clientId;
    private Outbox outbox;
    private ScheduledFuture<?> helloTimeout;
    private int errorsInARow;
    private Instant lastAckAt;
    private String lastError;
    private boolean registered;
    private boolean v1;
    private boolean acks;
    private boolean resyncCapable;
    private EntityFilter filter;
    /** Entity types the client receives but its store does not hold yet (from {@code hello}). */
    private java.util.Set<String> owedTypes = java.util.Set.of();
    private java.util.Set<String> heldTypes = java.util.Set.of();
    /** The incomplete entity types the client was last told of, or null before {@code welcome}. */
    private java.util.List<String> toldIncomplete;
    /** A snapshot part waiting for the connection to become writable, or null. */
    private CompletableFuture<Void> writableWaiter;

    ClientSession(HubContext hub, ClientChannel channel, ConnectionRequest request) {
        this.hub = hub;
        this.channel = channel;
        this.request = request;
    }

    /** Begins: a legacy client starts streaming at once; a v1 client has until the hello timeout to say hello. */
    void begin() {
        if (request.legacy().isPresent()) {
            ConnectionRequest.LegacyStart legacy = request.legacy().get();
            start(legacy.clientId(), null, legacy.lsn(), false, false, EntityFilter.of(request.grant(), java.util.List.of()));
            return;
        }
        helloTimeout = channel.executor().schedule(() -> {
            if (state == State.AWAITING_HELLO) {
                // 1013, not 1002: a slow client (a loaded machine) is not a broken one, and 1002 tells a
                // client never to reconnect.
                closeWith(ErrorCode.UNEXPECTED_MESSAGE, "no hello within " + request.helloTimeout()
                        + ": send hello first", CloseCodes.TRY_AGAIN_LATER);
            }
        }, request.helloTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    EventExecutor executor() {
        return channel.executor();
    }

    String clientId() {
        return clientId;
    }

    /** A message from the client. */
    public void onMessage(Message message) {
        if (state == State.CLOSED) {
            return;
        }
        if (message instanceof Hello hello) {
            onHello(hello);
        } else if (message instanceof SyncAck ack) {
            onAck(ack);
        } else if (message instanceof SyncVerify verify) {
            onVerify(verify);
        } else {
            sendError(ErrorCode.UNEXPECTED_MESSAGE, "'" + message.type() + "' is sent by the server, not to it");
        }
    }

    /** A frame that is not a valid message: the client gets an {@code error} and may go on. */
    public void onMalformed(ProtocolException e) {
        if (state != State.CLOSED) {
            sendError(e.code(), e.getMessage());
        }
    }

    /** The connection can take writes again. */
    public void onWritable() {
        if (writableWaiter != null && channel.isWritable()) {
            CompletableFuture<Void> waiter = writableWaiter;
            writableWaiter = null;
            waiter.complete(null);
        }
        if (state == State.STREAMING) {
            outbox.pump();
        } else if (writableWaiter != null && channel.isWritable()) {
            CompletableFuture<Void> waiter = writableWaiter;
            writableWaiter = null;
            waiter.complete(null);
        }
    }

    /** The connection is gone. */
    public void onClosed() {
        if (state == State.CLOSED) {
            return;
        }
        boolean streamed = outbox != null;
        state = State.CLOSED;
        if (helloTimeout != null) {
            helloTimeout.cancel(false);
        }
        if (outbox != null) {
            outbox.stop();
        }
        if (writableWaiter != null) {
            writableWaiter.completeExceptionally(new IllegalStateException("the connection closed"));
            writableWaiter = null;
        }
        if (registered && hub.registry().remove(this) && streamed) {
            recordProgress(false);
        }
    }

    /** The log moved on (called on this session's thread). */
    void logAdvanced() {
        if (state == State.STREAMING) {
            outbox.pump();
        }
    }

    private void onHello(Hello hello) {
        if (state != State.AWAITING_HELLO) {
            sendError(ErrorCode.UNEXPECTED_MESSAGE, request.legacy().isPresent()
                    ? "this connection started as a legacy client (query parameters clientId and lsn): it sends no hello"
                    : "hello was already received on this connection");
            return;
        }
        helloTimeout.cancel(false);
        if (hello.protocolVersion() != Message.PROTOCOL_VERSION) {
            closeWith(ErrorCode.UNSUPPORTED_VERSION, "this server speaks protocol version " + Message.PROTOCOL_VERSION
                    + ", the client asked for " + hello.protocolVersion() + ": use a client that speaks version "
                    + Message.PROTOCOL_VERSION, CloseCodes.PROTOCOL_ERROR);
            return;
        }
        if (!request.grant().permitsClient(hello.clientId())) {
            log.warn("refused hello from {}: client id '{}' is not the token's '{}'", channel.remoteAddress(),
                    hello.clientId(), request.grant().clientId());
            closeWith(ErrorCode.FORBIDDEN, "the token is for client '" + request.grant().clientId()
                    + "', not '" + hello.clientId() + "'", CloseCodes.POLICY_VIOLATION);
            return;
        }
        boolean acks = hello.has(Hello.CAPABILITY_ACK);
        resyncCapable = hello.has(Hello.CAPABILITY_RESYNC);
        EntityFilter wanted = EntityFilter.of(request.grant(), hello.subscriptions());
        if (hello.heldEntityTypes() != null && !hello.lastLsn().equals(Lsn.ZERO)) {
            // Subscribing to every type: which types exist is resolved when the snapshot is taken.
            owedTypes = new java.util.TreeSet<>(wanted.all()
                    ? java.util.Set.of(TableSnapshotStreamer.EVERY_TYPE_NOT_HELD) : wanted.types());
            owedTypes.removeAll(hello.heldEntityTypes());
            heldTypes = java.util.Set.copyOf(hello.heldEntityTypes());
        }
        start(hello.clientId(), hello.historyId(), hello.lastLsn(), true, acks, wanted);
    }

    private void start(String id, String historyId, Lsn lastLsn, boolean v1, boolean acks, EntityFilter filter) {
        clientId = id;
        this.v1 = v1;
        this.acks = acks;
        this.filter = filter;
        state = State.STARTING;
        hub.readState(channel, logState -> {
            if (state != State.STARTING) {
                return;
            }
            if (logState.isEmpty()) {
                closeWith(ErrorCode.INTERNAL, "the server has no change history yet (capture has not started):"
                        + " reconnect in a few seconds", CloseCodes.TRY_AGAIN_LATER);
                return;
            }
            HistoryState server = logState.get();
            Optional<String> resync = StartDecider.resyncReason(server, historyId, lastLsn, v1);
            if (v1) {
                toldIncomplete = incompleteTypes();
                send(new Welcome(server.historyId(), server.capturePosition(), Message.PROTOCOL_VERSION,
                        hub.config().window(), toldIncomplete));
                if (!toldIncomplete.isEmpty()) {
                    log.warn("client '{}' receives entity types whose captured history is incomplete now: {}",
                            clientId, toldIncomplete);
                }
            }
            if (resync.isPresent()) {
                resync(resync.get(), lastLsn, server.capturePosition());
                return;
            }
            streamFrom(lastLsn, acks, filter);
        }, this::failedToStart);
    }

    private void streamFrom(Lsn lastLsn, boolean acks, EntityFilter filter) {
        registered = true;
        ClientSession superseded = hub.registry().register(this);
        if (superseded != null) {
            superseded.executor().execute(superseded::supersede);
        }
        state = State.STREAMING;
        outbox = new Outbox(hub, channel, filter, acks, lastLsn, owedTypes, new Outbox.Listener() {
            @Override
            public void batchSent(Lsn lsn) {
                if (!acks) {
                    recordProgress(true);
                }
            }

            @Override
            public void failed(String why, boolean resync, RuntimeException cause) {
                streamFailed(why, resync, cause);
            }

            @Override
            public void snapshotNeeded(java.util.List<RefreshMarkers.Marker> markers, java.util.Set<String> owed,
                                       AssemblyState from, int epoch) {
                startTableSnapshot(markers, owed, from, epoch);
            }
        });
        log.info("client '{}' from {} streams from {} ({}, {})", clientId, channel.remoteAddress(), lastLsn,
                acks ? "acks" : "no acks", filter.all() ? "all entity types" : "entity types " + filter.types());
        recordProgress(true);
        channel.flush();
        outbox.pump();
    }

    /**
     * The stream reached refresh markers of types this client receives: once the pacer admits it, a snapshot of
     * those types is sent as one batch after the client's position (see {@link TableSnapshotStreamer}).
     */
    private void startTableSnapshot(java.util.List<RefreshMarkers.Marker> markers, java.util.Set<String> owed,
                                    AssemblyState from, int epoch) {
        java.util.Set<String> types = new java.util.TreeSet<>(owed);
        markers.forEach(marker -> types.add(marker.entityType()));
        Lsn mustCover = markers.isEmpty() ? null : markers.get(markers.size() - 1).lsn();
        Outbox streaming = outbox;
        dev.tidemark.recovery.Admission admission = hub.resync().admit(clientId);
        if (!admission.admitted()) {
            long retryAfterMs = Math.max(1, admission.retryAfter().toMillis());
            log.info("client '{}' needs a snapshot of {} (refresh markers after {}); snapshots are paced: in {} ms",
                    clientId, types, from.readPos(), retryAfterMs);
            streaming.retrySnapshot(retryAfterMs);
            return;
        }
        log.info("client '{}' at {} is sent a snapshot of {} ({})", clientId, from.chainLsn(), types,
                markers.isEmpty() ? "entity types new to its store" : "the log's history of " + markers.stream()
                        .map(RefreshMarkers.Marker::entityType).distinct().toList() + " is complete only from "
                        + mustCover);
        hub.metrics().tableSnapshots.increment();
        hub.resync().streamers().execute(new TableSnapshotStreamer(hub, filter, from, types, heldTypes, mustCover,
                channel.executor(),
                new TableSnapshotStreamer.Target() {
                    private boolean current() {
                        return state == State.STREAMING && outbox == streaming && streaming.epoch() == epoch;
                    }

                    @Override
                    public CompletableFuture<Void> write(dev.tidemark.protocol.Changes part) {
                        if (!current()) {
                            return CompletableFuture.failedFuture(new IllegalStateException("the stream moved on"));
                        }
                        hub.metrics().messages.increment();
                        hub.metrics().changes.increment(part.data().size());
                        streaming.snapshotPartSent(part.batchId());
                        send(part);
                        channel.flush();
                        if (channel.isWritable()) {
                            return CompletableFuture.completedFuture(null);
                        }
                        writableWaiter = new CompletableFuture<>();
                        return writableWaiter;
                    }

                    @Override
                    public void finished(String batchId, Lsn position, long rows, java.util.Set<String> sent) {
                        if (!current()) {
                            return;
                        }
                        log.info("client '{}' was sent a snapshot of {} ({} rows) at {}; the tail follows", clientId,
                                sent, rows, position);
                        streaming.snapshotSent(batchId, position, sent);
                        streaming.pump();
                    }

                    @Override
                    public void retryLater(String why) {
                        if (!current()) {
                            return;
                        }
                        log.warn("client '{}': {}; trying again in {} ms", clientId, why,
                                hub.config().resendBackoffMax().toMillis());
                        streaming.retrySnapshot(hub.config().resendBackoffMax().toMillis());
                    }

                    @Override
                    public void failed(String why, RuntimeException cause) {
                        if (!current()) {
                            return;
                        }
                        log.error("client '{}': {}", clientId, why, cause);
                        closeWith(ErrorCode.INTERNAL, why + ": reconnect later", CloseCodes.INTERNAL_ERROR);
                    }
                }));
    }

    /** The client's entity types that capture cannot capture correctly now, sorted. */
    private java.util.List<String> incompleteTypes() {
        java.util.List<String> types = new java.util.ArrayList<>();
        for (String type : new java.util.TreeSet<>(hub.health().incompleteEntityTypes())) {
            if (filter.matches(type)) {
                types.add(type);
            }
        }
        return java.util.List.copyOf(types);
    }

    /** Capture health changed: a v1 client whose incomplete types changed is told ({@code capture_status}). */
    void captureHealthChanged() {
        if (!v1 || toldIncomplete == null || state == State.CLOSED || state == State.AWAITING_HELLO) {
            return;
        }
        java.util.List<String> now = incompleteTypes();
        if (!now.equals(toldIncomplete)) {
            toldIncomplete = now;
            log.info("client '{}' is told its incomplete entity types are now {}", clientId, now);
            send(new dev.tidemark.protocol.CaptureStatus(now));
            channel.flush();
        }
    }

    private void supersede() {
        if (state != State.CLOSED) {
            registered = false;
            closeWith(ErrorCode.UNEXPECTED_MESSAGE, "another connection of client '" + clientId + "' took over",
                    CloseCodes.NORMAL);
        }
    }

    private void failedToStart(RuntimeException e) {
        log.error("could not read the change log's state for client '{}'", clientId, e);
        closeWith(ErrorCode.INTERNAL, "the server could not read its change log: reconnect later",
                CloseCodes.INTERNAL_ERROR);
    }

    private void streamFailed(String why, boolean resync, RuntimeException cause) {
        if (resync) {
            resync(why, outbox.window().acked(), hub.tail().tip());
            return;
        }
        log.error("streaming to client '{}' stopped: {}", clientId, why, cause);
        closeWith(ErrorCode.INTERNAL, why + ": reconnect later", CloseCodes.INTERNAL_ERROR);
    }

    /** A new history started: every position of this client is meaningless now. */
    void historyReset(HistoryState server) {
        if (state != State.STREAMING) {
            return;
        }
        resync("the server started a new history '" + server.historyId() + "'", outbox.window().acked(),
                server.capturePosition());
    }

    /**
     * The client cannot continue from {@code clientLsn}. A legacy client is closed with {@code resync_required};
     * a client that cannot load snapshots (or a server that cannot take them) is told so and streaming stops;
     * otherwise the pacer admits the resync now — the snapshot follows — or tells the client when to come back.
     */
    private void resync(String why, Lsn clientLsn, Lsn serverLsn) {
        hub.metrics().resyncs.increment();
        if (outbox != null) {
            outbox.stop();
        }
        if (!v1) {
            log.info("legacy client '{}' must resync: {}", clientId, why);
            closeWith(ErrorCode.RESYNC_REQUIRED, why + ": load a snapshot", CloseCodes.NORMAL);
            return;
        }
        if (!resyncCapable || hub.resync().snapshots().isEmpty()) {
            log.warn("client '{}' must resync and {}: {}", clientId, resyncCapable
                    ? "this server takes no snapshots" : "does not load snapshots (no 'resync' capability)", why);
            state = State.RESYNC_REQUIRED;
            send(new SyncVerifyResult(VerifyStatus.RESYNC_REQUIRED, clientLsn, serverLsn));
            channel.flush();
            return;
        }
        dev.tidemark.recovery.Admission admission = hub.resync().admit(clientId);
        if (!admission.admitted()) {
            long retryAfterMs = Math.max(1, admission.retryAfter().toMillis());
            log.info("client '{}' must resync ({}); resyncs are paced: it comes back in {} ms", clientId, why,
                    retryAfterMs);
            state = State.RESYNC_REQUIRED;
            send(SyncVerifyResult.retryLater(clientLsn, serverLsn, retryAfterMs));
            channel.flush();
            onClosed();
            channel.close(CloseCodes.NORMAL, "resync paced: come back later");
            return;
        }
        log.info("client '{}' resyncs from a snapshot: {}", clientId, why);
        owedTypes = java.util.Set.of();
        state = State.RESYNCING;
        hub.resync().streamers().execute(new SnapshotStreamer(hub, filter, clientLsn, channel.executor(),
                new SnapshotTarget()));
    }

    /** The session's side of a {@link SnapshotStreamer}; every call runs on this session's thread. */
    private final class SnapshotTarget implements SnapshotStreamer.Target {

        @Override
        public CompletableFuture<Void> announce(SyncVerifyResult announcement) {
            if (state != State.RESYNCING) {
                return CompletableFuture.failedFuture(new IllegalStateException("the session ended"));
            }
            send(announcement);
            channel.flush();
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> write(dev.tidemark.protocol.Changes part) {
            if (state != State.RESYNCING) {
                return CompletableFuture.failedFuture(new IllegalStateException("the session ended"));
            }
            hub.metrics().messages.increment();
            hub.metrics().changes.increment(part.data().size());
            send(part);
            channel.flush();
            if (channel.isWritable()) {
                return CompletableFuture.completedFuture(null);
            }
            writableWaiter = new CompletableFuture<>();
            return writableWaiter;
        }

        @Override
        public void finished(Lsn position, int changes) {
            if (state != State.RESYNCING) {
                return;
            }
            log.info("client '{}' was sent a snapshot of {} changes at {}; the tail follows", clientId, changes,
                    position);
            streamFrom(position, acks, filter);
        }

        @Override
        public void failed(String why, RuntimeException cause) {
            if (state != State.RESYNCING) {
                return;
            }
            log.error("client '{}': {}", clientId, why, cause);
            closeWith(ErrorCode.INTERNAL, why + ": reconnect later", CloseCodes.INTERNAL_ERROR);
        }
    }

    private void onAck(SyncAck ack) {
        if (state != State.STREAMING) {
            sendError(ErrorCode.UNEXPECTED_MESSAGE, "sync_ack before streaming started: send hello first");
            return;
        }
        if (!ack.clientId().equals(clientId)) {
            rejectAck(ErrorCode.FORBIDDEN, "sync_ack for client '" + ack.clientId() + "' on the connection of client '"
                    + clientId + "': ignored, nothing changed");
            return;
        }
        AckWindow window = outbox.window();
        AckWindow.Check check = window.check(ack.lsn());
        if (check == AckWindow.Check.BEYOND_SENT || check == AckWindow.Check.NOT_A_BATCH_END
                || (check == AckWindow.Check.NOT_NEWER && ack.lsn().isBefore(window.acked())
                    && ack.status() == dev.tidemark.protocol.AckStatus.ERROR)) {
            rejectAck(ErrorCode.ACK_OUT_OF_RANGE, "sync_ack at " + ack.lsn() + " does not match what was sent: "
                    + window.describe() + "; nothing changed");
            return;
        }
        Instant now = hub.clock().instant();
        if (ack.status() == dev.tidemark.protocol.AckStatus.SUCCESS) {
            hub.metrics().acksSuccess.increment();
            if (check == AckWindow.Check.BATCH_END) {
                window.acknowledge(ack.lsn());
                errorsInARow = 0;
                lastAckAt = now;
                recordProgress(true);
                outbox.pump();
            }
            return;
        }
        onErrorAck(ack, check, now);
    }

    private void onErrorAck(SyncAck ack, AckWindow.Check check, Instant now) {
        AckWindow window = outbox.window();
        boolean stale = ack.batchId() != null && !window.holds(ack.batchId())
                && !ack.batchId().equals(outbox.batchInProgress());
        if (stale) {
            log.debug("client '{}' rejected batch {} sent before its last rewind; ignored", clientId, ack.batchId());
            return;
        }
        hub.metrics().acksError.increment();
        if (check == AckWindow.Check.BATCH_END) {
            window.acknowledge(ack.lsn());
        }
        errorsInARow++;
        lastAckAt = now;
        lastError = ack.error() == null ? "error ack without a message" : ack.error();
        recordProgress(true);
        HubConfig config = hub.config();
        if (errorsInARow > config.resendRetryLimit()) {
            log.warn("client '{}' reported {} errors in a row at {} (last: {}); giving up on this connection",
                    clientId, errorsInARow, ack.lsn(), lastError);
            closeWith(ErrorCode.STORE_FAILURE, "the client failed to apply the batch after " + ack.lsn() + " "
                    + errorsInARow + " times in a row (last: " + lastError + "): fix the store, then reconnect",
                    CloseCodes.NORMAL);
            return;
        }
        long delay = Math.min(config.resendBackoffMax().toMillis(),
                config.resendBackoff().toMillis() << Math.min(errorsInARow - 1, 30));
        log.warn("client '{}' failed to apply after {} (attempt {} of {}): {}; resending from {} in {} ms",
                clientId, ack.lsn(), errorsInARow, config.resendRetryLimit(), lastError, ack.lsn(), delay);
        hub.metrics().resends.increment();
        outbox.rewind(ack.lsn(), delay);
    }

    private void rejectAck(ErrorCode code, String message) {
        hub.metrics().acksRejected.increment();
        log.warn("client '{}' from {}: {}", clientId, channel.remoteAddress(), message);
        sendError(code, message);
    }

    private void onVerify(SyncVerify verify) {
        if (state == State.RESYNCING) {
            // rate_limited: the client's verify request fails and it may ask again later.
            sendError(ErrorCode.RATE_LIMITED, "a resync snapshot is being sent: verify again after it is loaded");
            return;
        }
        if (state != State.STREAMING && state != State.RESYNC_REQUIRED) {
            sendError(ErrorCode.UNEXPECTED_MESSAGE, "sync_verify before streaming started: send hello first");
            return;
        }
        if (!verify.clientId().equals(clientId)) {
            sendError(ErrorCode.FORBIDDEN, "sync_verify for client '" + verify.clientId()
                    + "' on the connection of client '" + clientId + "': ignored");
            return;
        }
        dev.tidemark.recovery.Admission allowed = hub.resync().verify(clientId);
        if (!allowed.admitted()) {
            hub.metrics().verifiesLimited.increment();
            sendError(ErrorCode.RATE_LIMITED, "too many sync_verify requests: at most one per "
                    + hub.config().verifyInterval().toMillis() + " ms; retry in "
                    + Math.max(1, allowed.retryAfter().toMillis()) + " ms");
            return;
        }
        // The log's checksum covers every entity type: compare only for a client that receives all of them.
        boolean compare = filter != null && filter.all() && verify.checksum() != null;
        // Acks the client sent before this request have arrived before it (one connection, in order).
        Lsn ackedOnArrival = outbox != null && acks ? outbox.window().acked() : null;
        try {
            hub.readers().execute(() -> {
                VerifyResponder.Inputs inputs;
                try {
                    inputs = VerifyResponder.read(hub.changeLog(), verify, compare);
                } catch (RuntimeException e) {
                    channel.executor().execute(() -> failedToStart(e));
                    return;
                }
                channel.executor().execute(() -> answerVerify(verify, inputs, ackedOnArrival));
            });
        } catch (RuntimeException e) {
            failedToStart(e);
        }
    }

    private void answerVerify(SyncVerify verify, VerifyResponder.Inputs inputs, Lsn ackedOnArrival) {
        if (inputs.server().isEmpty() || (state != State.STREAMING && state != State.RESYNC_REQUIRED)) {
            return;
        }
        HistoryState server = inputs.server().get();
        if (state == State.RESYNC_REQUIRED) {
            send(new SyncVerifyResult(VerifyStatus.RESYNC_REQUIRED, verify.lastLsn(), server.capturePosition()));
            channel.flush();
            return;
        }
        dev.tidemark.recovery.Verdict verdict = VerifyResponder.decide(server, verify, inputs, outbox.window().sent(),
                ackedOnArrival);
        hub.metrics().verified(verdict.status());
        if (verdict.resyncRequired()) {
            if (verdict.reason() == dev.tidemark.recovery.Verdict.Reason.CHECKSUM_MISMATCH) {
                hub.metrics().checksumMismatches.increment();
            }
            if (verdict.reason() != dev.tidemark.recovery.Verdict.Reason.BEHIND_RETENTION) {
                log.warn("client '{}' failed verification: {}", clientId, verdict.detail());
            }
            resync(verdict.detail(), verify.lastLsn(), server.capturePosition());
            return;
        }
        // changes_follow does not restart the stream: the batches after the client's position are already on
        // this connection or about to be (see VerifyResponder).
        send(new SyncVerifyResult(verdict.status(), verify.lastLsn(), server.capturePosition()));
        channel.flush();
    }

    private void recordProgress(boolean connected) {
        Lsn acked = outbox == null ? Lsn.ZERO : outbox.window().acked();
        ackedSnapshot = acked.value();
        hub.progress().record(new ClientProgress(clientId, acked, lastAckAt, lastError, connected, hub.clock().instant()));
    }

    private void send(Message message) {
        channel.write(ByteBufUtil.writeUtf8(channel.alloc(), hub.codec().encode(message)));
    }

    private void sendError(ErrorCode code, String message) {
        send(new ErrorMessage(code, message));
        channel.flush();
    }

    private void closeWith(ErrorCode code, String message, int closeCode) {
        if (state == State.CLOSED) {
            return;
        }
        send(new ErrorMessage(code, message));
        channel.flush();
        String reason = message.length() > 60 ? message.substring(0, 60) : message;
        onClosed();
        channel.close(closeCode, reason);
    }

    /** A snapshot of this session, taken on its thread. */
    CompletableFuture<SessionStats> stats() {
        CompletableFuture<SessionStats> result = new CompletableFuture<>();
        channel.executor().execute(() -> result.complete(snapshot()));
        return result;
    }

    private SessionStats snapshot() {
        if (outbox == null) {
            return new SessionStats(clientId, state.name(), Lsn.ZERO, Lsn.ZERO, Lsn.ZERO, 0, 0,
                    channel.pendingOutboundBytes(), 0);
        }
        AckWindow window = outbox.window();
        return new SessionStats(clientId, state.name(), window.acked(), window.sent(), outbox.readPos(),
                window.unackedCount(), outbox.pendingMessages(), channel.pendingOutboundBytes(), outbox.epoch());
    }

    /** Bytes written to this client and not yet to its socket; any thread. */
    long pendingOutboundBytes() {
        return channel.pendingOutboundBytes();
    }

    /** The acknowledged position, for the lag gauge; read from any thread (may be slightly stale). */
    long ackedValue() {
        return ackedSnapshot;
    }

    private volatile long ackedSnapshot;
}
