package dev.tidemark.server.hub;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SourceAuditMessage;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A resync snapshot is being admitted by the pacer (asked off the session's thread), then sent to the client (see
 * {@link SnapshotStreamer}); streaming resumes after it. When the pacer does not admit it, the client is told when
 * to come back and the connection ends.
 * {@code sync_verify} is answered {@code rate_limited} (verify after the snapshot); the source verify's messages
 * are valid (it answers that the client is not streaming); a late {@code sync_ack} of a batch the stopped stream
 * sent is ignored (see {@link ClientSession#lateAck}).
 */
final class Resyncing implements SessionPhase {

    private static final Logger log = LoggerFactory.getLogger(Resyncing.class);

    private final ClientSession session;
    private final Peer peer;
    private final Outbox previous;

    /** @param previous the outbox streaming before the resync (stopped), or null */
    Resyncing(ClientSession session, Peer peer, Outbox previous) {
        this.session = session;
        this.peer = peer;
        this.previous = previous;
    }

    @Override
    public String name() {
        return "RESYNCING";
    }

    @Override
    public Peer peer() {
        return peer;
    }

    @Override
    public Outbox outbox() {
        return previous;
    }

    /** Sends the snapshot from the snapshot threads of {@code streamers}. */
    void send(SnapshotStreamers streamers, Lsn clientLsn) {
        streamers.resync(peer.terms().filter(), clientLsn, session.executor(), new Target());
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof Hello) {
            session.helloAgain();
        } else if (message instanceof SyncVerify) {
            // rate_limited: the client's verify request fails and it may ask again later.
            session.writer().error(ErrorCode.RATE_LIMITED,
                    "a resync snapshot is being sent: verify again after it is loaded");
        } else if (message instanceof SourceAuditMessage audit) {
            session.sourceAudit(audit);
        } else if (!session.lateAck(message, previous)) {
            session.unexpected("'" + message.type() + "' while a resync snapshot is being sent: acknowledge the"
                    + " batches after it; nothing changed");
        }
    }

    /** The session's side of the {@link SnapshotStreamer}: it acts only while the session is in this phase. */
    private final class Target implements SnapshotStreamer.Target {

        private boolean current() {
            return session.phase() == Resyncing.this;
        }

        @Override
        public CompletableFuture<Void> announce(SyncVerifyResult announcement) {
            if (!current()) {
                return CompletableFuture.failedFuture(new IllegalStateException("the session ended"));
            }
            session.writer().send(announcement);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> write(Changes part) {
            if (!current()) {
                return CompletableFuture.failedFuture(new IllegalStateException("the session ended"));
            }
            return session.writer().writePart(part);
        }

        @Override
        public void finished(Lsn position, int changes, String historyId) {
            if (!current()) {
                return;
            }
            if (historyId != null && session.history() != null && !historyId.equals(session.history())) {
                // The log moved to a new history while this connection waited for or loaded the snapshot: its
                // position is not in the history the welcome named.
                session.historyMoved(historyId);
                return;
            }
            log.info("client '{}' was sent a snapshot of {} changes at {}; the tail follows", peer.clientId(),
                    changes, position);
            session.stream(position, Set.of());
        }

        @Override
        public void failed(String why, RuntimeException cause) {
            if (!current()) {
                return;
            }
            log.error("client '{}': {}", peer.clientId(), why, cause);
            session.closeWith(ErrorCode.INTERNAL, why + ": reconnect later", CloseCodes.INTERNAL_ERROR);
        }
    }
}
