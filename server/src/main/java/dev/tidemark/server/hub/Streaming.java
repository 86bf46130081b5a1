package dev.tidemark.server.hub;

import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SourceAuditMessage;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.SyncVerify;
import java.util.List;
import java.util.Set;

/**
 * Batches stream to the client from its {@link Outbox}; {@code sync_ack}, {@code sync_verify} and the source
 * verify's messages are valid. Leaving the phase stops the outbox.
 */
final class Streaming implements SessionPhase, Outbox.Listener {

    private final ClientSession session;
    private final Peer peer;
    private final TableSnapshots tables;
    private final VerifyHandler verify;
    private final Outbox outbox;

    /** Streams to the client from {@code from}; a snapshot of {@code owed} types comes first. */
    Streaming(ClientSession session, Peer peer, OutboxFactory outboxes, TableSnapshots tables, VerifyHandler verify,
              ClientChannel channel, Lsn from, Set<String> owed) {
        this.session = session;
        this.peer = peer;
        this.tables = tables;
        this.verify = verify;
        this.outbox = outboxes.open(channel, peer.terms().filter(), peer.terms().acks(), from, owed, session.history(),
                this);
    }

    @Override
    public String name() {
        return "STREAMING";
    }

    @Override
    public Peer peer() {
        return peer;
    }

    @Override
    public Outbox outbox() {
        return outbox;
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof Hello) {
            session.helloAgain();
        } else if (message instanceof SyncAck ack) {
            peer.acks().onAck(ack, session, outbox);
        } else if (message instanceof SyncVerify request) {
            // Acks the client sent before this request have arrived before it (one connection, in order).
            verify.request(request, session, peer.terms(), peer.terms().acks() ? outbox.window().acked() : null);
        } else if (message instanceof SourceAuditMessage audit) {
            session.sourceAudit(audit);
        } else {
            session.unexpected("'" + message.type() + "' is sent by the server, not to it");
        }
    }

    @Override
    public void pump() {
        outbox.pump();
    }

    @Override
    public void exit() {
        outbox.stop();
    }

    // ---- what the outbox reports (on the session's thread) ---------------------------------------------------

    @Override
    public void batchSent(Lsn lsn) {
        if (!peer.terms().acks()) {
            session.recordProgress(true);
        }
    }

    @Override
    public void failed(String why, boolean resync, RuntimeException cause) {
        session.streamFailed(why, resync, cause);
    }

    @Override
    public void historyChanged(String historyId) {
        session.historyMoved(historyId);
    }

    @Override
    public void snapshotNeeded(List<RefreshMarkers.Marker> markers, Set<String> owed, AssemblyState from, int epoch) {
        tables.start(session, peer.terms(), outbox, markers, owed, from, epoch);
    }

    @Override
    public void held(AssemblyState at, int epoch) {
        peer.sourceVerify().held(at, epoch);
    }
}
