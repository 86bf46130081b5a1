package dev.tidemark.server.hub;

import dev.tidemark.protocol.CaptureStatus;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.ProtocolException;
import dev.tidemark.protocol.SourceAuditMessage;
import dev.tidemark.protocol.SourceDiff;
import dev.tidemark.protocol.SourceEntries;
import dev.tidemark.protocol.SourceVerify;
import dev.tidemark.protocol.SourceVerifyResult;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.server.spi.HistoryState;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the handshake ({@code hello} → {@code welcome}, or a legacy start), then the
 * client's messages against the session's {@link SessionPhase}, which holds what is valid in it and handles the
 * messages valid in it. Every phase change goes through {@link #moveTo}. Every method runs on the connection's
 * thread unless it says otherwise.
 */
public final class ClientSession {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private final ClientChannel channel;
    private final ConnectionRequest request;
    private final SessionWriter writer;
    private final SessionRegistry registry;
    private final LogPages pages;
    private final LiveEdge edge;
    private final ResyncPlanner resyncs;
    private final VerifyHandler verify;
    private final SnapshotStreamers streamers;
    private final SessionFactory phases;
    private SessionPhase phase;
    /** The acknowledged position, published for the lag gauge (read from any thread). */
    private volatile long ackedSnapshot;
    /** The claim of the client this session holds in the cluster state; 0 until it is recorded. */
    private volatile long claim;
    /** This session's name in the cluster state. */
    private final String name = UUID.randomUUID().toString();
    /** A claim of this session is being recorded (its number is not known yet). */
    private boolean claiming;
    /** The newest claim of the client heard of while streaming (this session's own included). */
    private long newestSeen;
    /**
     * The change log's history this connection serves: the one its start was decided in (and the {@code welcome}
     * named). {@code null} until then. Every position sent on this connection is in it.
     */
    private String history;
    /** The rate limit is being asked about a {@code sync_verify} of this session (see {@link VerifyHandler}). */
    private boolean verifyAsked;

    ClientSession(ClientChannel channel, ConnectionRequest request, SessionWriter writer, SessionRegistry registry,
                  LogPages pages, LiveEdge edge, ResyncPlanner resyncs, VerifyHandler verify,
                  SnapshotStreamers streamers, SessionFactory phases) {
        this.channel = channel;
        this.request = request;
        this.writer = writer;
        this.registry = registry;
        this.pages = pages;
        this.edge = edge;
        this.resyncs = resyncs;
        this.verify = verify;
        this.streamers = streamers;
        this.phases = phases;
        this.phase = new AwaitingHello(this, request);
    }

    /** Begins: a legacy client starts streaming at once; a v1 client has until the hello timeout to say hello. */
    void begin() {
        if (request.legacy().isPresent()) {
            start(HelloCheck.legacy(request, request.legacy().get()));
        } else if (phase instanceof AwaitingHello awaiting) {
            awaiting.arm();
        }
    }

    // ---- events from the connection ---------------------------------------------------------------------------

    /** A message from the client. */
    public void onMessage(Message message) {
        if (phase instanceof Closed) {
            phase.onMessage(message);
            return;
        }
        if (!(message instanceof Hello || message instanceof SyncAck || message instanceof SyncVerify
                || message instanceof SourceVerify || message instanceof SourceDiff
                || message instanceof SourceEntries)) {
            unexpected("'" + message.type() + "' is sent by the server, not to it");
            return;
        }
        phase.onMessage(message);
    }

    /** A frame that is not a valid message: the client gets an {@code error} and may go on. */
    public void onMalformed(ProtocolException e) {
        if (!(phase instanceof Closed)) {
            writer.error(e.code(), e.getMessage());
        }
    }

    /** The connection can take writes again. */
    public void onWritable() {
        writer.writable();
        phase.pump();
    }

    /** The connection is gone. */
    public void onClosed() {
        if (phase instanceof Closed) {
            return;
        }
        SessionPhase last = phase;
        moveTo(new Closed(last.peer(), last.outbox()));
        writer.closed();
        if (last.peer() != null) {
            if (registry.remove(this) && last.outbox() != null) {
                recordProgress(false);
            }
            last.peer().sourceVerify().ended();
        }
    }

    // ---- events from the hub ----------------------------------------------------------------------------------

    /** The log moved on (called on this session's thread). */
    void logAdvanced() {
        phase.pump();
    }

    /**
     * A new history started (the hub's periodic check saw it): every position of this client is meaningless now.
     * See {@link #historyMoved}.
     */
    void historyReset(HistoryState server) {
        if (phase instanceof Streaming streaming && !phase.peer().terms().v1()) {
            // A legacy client knows no history: the resync plan closes it with resync_required.
            resync("the server started a new history '" + server.historyId() + "'",
                    streaming.outbox().window().acked(), server.capturePosition());
            return;
        }
        historyMoved(server.historyId());
    }

    /**
     * The change log is in history {@code now}, not the one this connection serves. In whatever phase (starting,
     * streaming, loading a resync snapshot), the connection ends with {@code 1013}: the client reconnects, its
     * {@code hello} names its history, and the {@code welcome} of the new connection names the new one, so the
     * resync that follows empties the store into the new history. (A resync on this connection would leave the
     * client in the history its {@code welcome} named, receiving positions of the new one.)
     */
    void historyMoved(String now) {
        if (phase instanceof Closed || phase instanceof AwaitingHello || now.equals(history)) {
            return;
        }
        Peer peer = phase.peer();
        if (peer != null && !peer.terms().v1()) {
            // A legacy client's reconnect names no history to check: it must hear resync_required now.
            closeWith(ErrorCode.RESYNC_REQUIRED, "the server started a new history '" + now + "': resync the store",
                    CloseCodes.NORMAL);
            return;
        }
        log.warn("client '{}' was streamed history '{}'; the change log is in history '{}' now: the connection"
                + " ends and the client resyncs when it reconnects", peer == null ? "?" : peer.clientId(), history, now);
        end(CloseCodes.TRY_AGAIN_LATER, "new history: reconnect to resync");
    }

    /** The history this connection serves, or {@code null} before its start was decided. */
    String history() {
        return history;
    }

    /** The start decision was taken in the change log's history {@code historyId}. */
    void historyDecided(String historyId) {
        history = historyId;
    }

    /** Capture health changed: a v1 client whose incomplete types changed is told ({@code capture_status}). */
    void captureHealthChanged() {
        Peer peer = phase.peer();
        if (peer == null || !peer.terms().v1() || phase instanceof Closed) {
            return;
        }
        peer.incomplete().changed().ifPresent(now -> {
            log.info("client '{}' is told its incomplete entity types are now {}", peer.clientId(), now);
            writer.send(new CaptureStatus(now));
        });
    }

    /** Another connection of the same client took over. */
    private void supersede() {
        if (!(phase instanceof Closed)) {
            closeWith(ErrorCode.UNEXPECTED_MESSAGE, "another connection of client '" + clientId() + "' took over",
                    CloseCodes.NORMAL);
        }
    }

    // ---- the client's claim in the cluster state (see ClusterState) --------------------------------------------

    /** The claim this session holds; 0 until recorded. Any thread. */
    long claim() {
        return claim;
    }

    /** The claim was recorded ({@code claim}), or a newer claim of the client already held it (empty). */
    void claimed(OptionalLong recorded) {
        claiming = false;
        if (phase instanceof Closed) {
            return;
        }
        if (recorded.isEmpty()) {
            supersededElsewhere();
            return;
        }
        claim = recorded.getAsLong();
        if (newestSeen > claim) {
            supersededElsewhere();
        }
    }

    /** The claim could not be recorded: fail closed, the client reconnects. */
    void claimFailed(RuntimeException e) {
        claiming = false;
        closeWith(ErrorCode.INTERNAL, "the server could not record this connection in the cluster state ("
                + e.getMessage() + "): reconnect in a few seconds", CloseCodes.TRY_AGAIN_LATER);
    }

    /** Another node's session of this client claimed it as {@code newer}. */
    void newerClaimSeen(long newer) {
        newestSeen = Math.max(newestSeen, newer);
        // While a claim is being recorded its number is unknown: claimed() compares it with what was heard.
        if (!claiming && !(phase instanceof Closed) && claim > 0 && newer > claim) {
            supersededElsewhere();
        }
    }

    /**
     * A newer connection of the client, on another node, took over: this one ends as a local supersede does. It
     * leaves the registry first, so it does not write the client's progress as it ends (the new session does).
     */
    private void supersededElsewhere() {
        log.info("client '{}' from {}: a newer connection of it on another node took over", clientId(),
                channel.remoteAddress());
        registry.remove(this);
        supersede();
    }

    // ---- transitions: every phase change happens here -------------------------------------------------------

    private void moveTo(SessionPhase next) {
        if (!SessionTransitions.allowed(phase.getClass(), next.getClass())) {
            throw new IllegalStateException("a session cannot move from " + phase.name() + " to " + next.name());
        }
        SessionPhase previous = phase;
        previous.exit();
        phase = next;
        log.debug("client '{}' from {}: {} → {}", clientId(), channel.remoteAddress(), previous.name(), next.name());
    }

    /** The client said who it is: the change log's state decides where it starts. */
    void start(StreamTerms terms) {
        Starting starting = phases.starting(this, phases.peer(this, terms));
        moveTo(starting);
        pages.readState(channel.executor(), starting::stateRead, this::failedToReadLog);
    }

    /** Streams to the client from {@code from}; a snapshot of the {@code owed} types comes first. */
    void stream(Lsn from, Set<String> owed) {
        ClientSession superseded = registry.register(this);
        if (superseded != null) {
            superseded.executor().execute(superseded::supersede);
        }
        Peer peer = phase.peer();
        claiming = true;
        phases.claim(this, peer.clientId(), name);
        Streaming streaming = phases.streaming(this, peer, channel, from, owed);
        moveTo(streaming);
        StreamTerms terms = peer.terms();
        log.info("client '{}' from {} streams from {} ({}, {})", terms.clientId(), channel.remoteAddress(), from,
                terms.acks() ? "acks" : "no acks", terms.filter().all() ? "all entity types"
                        : "entity types " + terms.filter().types());
        recordProgress(true);
        channel.flush();
        streaming.pump();
    }

    /**
     * The client cannot continue from {@code clientLsn}: see {@link ResyncPlanner}. A snapshot resync moves to
     * {@link Resyncing} at once, which stops the stream, while the pacer is asked off this thread; the snapshot
     * starts when it admits it, or the client is told when to come back and the connection ends after the move
     * to {@link Closed}.
     */
    void resync(String why, Lsn clientLsn, Lsn serverLsn) {
        Peer peer = phase.peer();
        Outbox previous = phase.outbox();
        ResyncPlanner.Plan plan = resyncs.plan(peer.terms(), why, clientLsn, serverLsn);
        if (plan instanceof ResyncPlanner.CloseLegacy legacy) {
            closeWith(ErrorCode.RESYNC_REQUIRED, legacy.message(), CloseCodes.NORMAL);
        } else if (plan instanceof ResyncPlanner.TellRequired tell) {
            moveTo(new ResyncRequired(this, peer, previous, verify));
            writer.send(tell.result());
        } else if (plan instanceof ResyncPlanner.AskPacer ask) {
            // Both answers supersede whatever the stream would write meanwhile (a snapshot, or the end of the
            // connection): it stops now, and a second resync cannot be asked for (only Streaming and Starting ask).
            Resyncing resyncing = new Resyncing(this, peer, previous);
            moveTo(resyncing);
            resyncs.admit(ask, executor(), decided -> paced(resyncing, decided, clientLsn));
        } else {
            throw new IllegalStateException("the resync planner decided " + plan + " without asking the pacer");
        }
    }

    /** The pacer's answer for {@code resyncing}: ignored when the session ended or moved on meanwhile. */
    private void paced(Resyncing resyncing, ResyncPlanner.Plan decided, Lsn clientLsn) {
        if (phase != resyncing) {
            return;
        }
        if (decided instanceof ResyncPlanner.ComeBackLater later) {
            writer.send(later.result());
            end(CloseCodes.NORMAL, "resync paced: come back later");
        } else {
            resyncing.send(streamers, clientLsn);
        }
    }

    /** Sends the client an {@code error}, then ends the session and closes the connection with {@code closeCode}. */
    void closeWith(ErrorCode code, String message, int closeCode) {
        if (phase instanceof Closed) {
            return;
        }
        writer.error(code, message);
        end(closeCode, message.length() > 60 ? message.substring(0, 60) : message);
    }

    /** Ends the session (the move to {@link Closed}), then closes the connection. */
    private void end(int closeCode, String reason) {
        onClosed();
        channel.close(closeCode, reason);
    }

    // ---- what the phases share ------------------------------------------------------------------------------

    SessionPhase phase() {
        return phase;
    }

    SessionWriter writer() {
        return writer;
    }

    EventExecutor executor() {
        return channel.executor();
    }

    String remoteAddress() {
        return channel.remoteAddress();
    }

    /** The client's id; null before it said hello. */
    String clientId() {
        Peer peer = phase.peer();
        return peer == null ? null : peer.clientId();
    }

    /** Whether the session streams from {@code outbox} now. */
    boolean streamsFrom(Outbox outbox) {
        return phase instanceof Streaming && phase.outbox() == outbox;
    }

    /** A message not valid in this phase: the protocol's {@code error}, nothing changes. */
    void unexpected(String why) {
        writer.error(ErrorCode.UNEXPECTED_MESSAGE, why);
    }

    /**
     * True for a {@code sync_ack} of a batch the stopped stream {@code previous} sent and the client had not yet
     * acknowledged: the client sent it before it heard of the resync, so it is late, not out of phase. The resync
     * replaces what it acknowledges; it changes nothing and gets no answer (an {@code error} would reach the
     * application as a server error where nothing went wrong).
     */
    boolean lateAck(Message message, Outbox previous) {
        if (message instanceof SyncAck ack && previous != null && ack.clientId().equals(clientId())
                && previous.window().holds(ack.batchId())) {
            log.debug("client '{}': ack of batch {} at {} arrived after the resync began; ignored",
                    phase.peer().clientId(), ack.batchId(), ack.lsn());
            return true;
        }
        return false;
    }

    /** A second {@code hello}. */
    void helloAgain() {
        unexpected(request.legacy().isPresent()
                ? "this connection started as a legacy client (query parameters clientId and lsn): it sends no hello"
                : "hello was already received on this connection");
    }

    /** Records the client's progress: what its current (or last) outbox saw acknowledged. */
    void recordProgress(boolean connected) {
        Outbox outbox = phase.outbox();
        Lsn acked = outbox == null ? Lsn.ZERO : outbox.window().acked();
        ackedSnapshot = acked.value();
        phase.peer().acks().record(clientId(), acked, connected);
    }

    /** The change log could not be read for this client. */
    void failedToReadLog(RuntimeException e) {
        log.error("could not read the change log's state for client '{}'", clientId(), e);
        closeWith(ErrorCode.INTERNAL, "the server could not read its change log: reconnect later",
                CloseCodes.INTERNAL_ERROR);
    }

    /** The outbox cannot go on. */
    void streamFailed(String why, boolean resync, RuntimeException cause) {
        if (resync) {
            resync(why, phase.outbox().window().acked(), edge.tip());
            return;
        }
        log.error("streaming to client '{}' stopped: {}", clientId(), why, cause);
        closeWith(ErrorCode.INTERNAL, why + ": reconnect later", CloseCodes.INTERNAL_ERROR);
    }

    /** Whether the rate limit is being asked about a {@code sync_verify} of this session. */
    boolean verifyAsked() {
        return verifyAsked;
    }

    void verifyAsked(boolean asked) {
        verifyAsked = asked;
    }

    /** The log's answer to a {@code sync_verify}: answered if the phase still takes it. */
    void verifyRead(SyncVerify request, VerifyResponder.Inputs inputs, Lsn ackedOnArrival) {
        if (inputs.server().isEmpty()) {
            return;
        }
        if (history != null && !history.equals(inputs.server().get().historyId())) {
            historyMoved(inputs.server().get().historyId());
            return;
        }
        if (phase instanceof Streaming streaming) {
            verify.answerStreaming(request, inputs, ackedOnArrival, this, streaming.outbox());
        } else if (phase instanceof ResyncRequired) {
            verify.answerResyncRequired(request, inputs.server().get(), this);
        }
    }

    // ---- verify against the source (protocol.md, "Verify against the source") ------------------------------

    /** The client's messages of a source verify; the flow is {@link SourceVerifySession}'s. */
    void sourceAudit(SourceAuditMessage message) {
        SourceVerifySession sourceVerify = phase.peer().sourceVerify();
        if (message instanceof SourceVerify request) {
            sourceVerify.request(request);
        } else if (message instanceof SourceDiff diff) {
            sourceVerify.diff(diff);
        } else if (message instanceof SourceEntries entries) {
            sourceVerify.entries(entries);
        } else {
            unexpected("'" + message.type() + "' is sent by the server, not to it");
        }
    }

    /**
     * An operator's source verify of this client ({@code tidemark audit}); the result completes when the verify
     * ends (the client hears it too). Any thread.
     */
    CompletableFuture<SourceVerifyResult> auditAgainstSource(List<String> entityTypes) {
        CompletableFuture<SourceVerifyResult> result = new CompletableFuture<>();
        channel.executor().execute(() -> {
            if (!(phase instanceof Streaming)) {
                result.complete(SourceVerifyResult.failed(Lsn.ZERO, "client '" + clientId()
                        + "' is not streaming now (" + phase.name().toLowerCase(Locale.ROOT)
                        + "): audit it again once it is connected and caught up"));
                return;
            }
            phase.peer().sourceVerify().start(new SourceVerify(clientId(), entityTypes), result::complete);
        });
        return result;
    }

    // ---- stats ----------------------------------------------------------------------------------------------

    /** A snapshot of this session, taken on its thread. Any thread. */
    CompletableFuture<SessionStats> stats() {
        CompletableFuture<SessionStats> result = new CompletableFuture<>();
        channel.executor().execute(() -> result.complete(snapshot()));
        return result;
    }

    private SessionStats snapshot() {
        Outbox outbox = phase.outbox();
        if (outbox == null) {
            return new SessionStats(clientId(), phase.name(), Lsn.ZERO, Lsn.ZERO, Lsn.ZERO, 0, 0,
                    channel.pendingOutboundBytes(), 0);
        }
        AckWindow window = outbox.window();
        return new SessionStats(clientId(), phase.name(), window.acked(), window.sent(), outbox.readPos(),
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
}
