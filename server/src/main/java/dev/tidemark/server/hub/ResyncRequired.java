package dev.tidemark.server.hub;

import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SourceAuditMessage;
import dev.tidemark.protocol.SyncVerify;

/**
 * The client must resync and was told so ({@code sync_verify_result resync_required}): it cannot load snapshots,
 * or this server takes none. Nothing is streamed; {@code sync_verify} is answered {@code resync_required} again,
 * the source verify's messages are valid (it answers that the client is not streaming); a late {@code sync_ack} of a
 * batch the stopped stream sent is ignored (see {@link ClientSession#lateAck}).
 */
final class ResyncRequired implements SessionPhase {

    private final ClientSession session;
    private final Peer peer;
    private final Outbox previous;
    private final VerifyHandler verify;

    /** @param previous the outbox streaming before (stopped), or null */
    ResyncRequired(ClientSession session, Peer peer, Outbox previous, VerifyHandler verify) {
        this.session = session;
        this.peer = peer;
        this.previous = previous;
        this.verify = verify;
    }

    @Override
    public String name() {
        return "RESYNC_REQUIRED";
    }

    @Override
    public Peer peer() {
        return peer;
    }

    @Override
    public Outbox outbox() {
        return previous;
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof Hello) {
            session.helloAgain();
        } else if (message instanceof SyncVerify request) {
            verify.request(request, session, peer.terms(), null);
        } else if (message instanceof SourceAuditMessage audit) {
            session.sourceAudit(audit);
        } else if (!session.lateAck(message, previous)) {
            session.unexpected("'" + message.type() + "' after resync_required: nothing is streamed on this"
                    + " connection; load a snapshot, then reconnect");
        }
    }
}
