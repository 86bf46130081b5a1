package dev.tidemark.client.internal;

import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.LsnCommitted;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SyncAck;
import java.util.List;

/**
 * The safe mode: the position moves only in the store transaction that applied a batch, and the client sends
 * {@code sync_ack} only after that commit; a refused batch is acknowledged {@code error} at the committed LSN,
 * so the server resends from there.
 */
final class AckAfterCommit implements AckPolicy {

    @Override
    public Hello hello(String clientId, Lsn committed, String historyId, List<String> subscriptions, HeldTypes held) {
        return new Hello(clientId, committed, historyId, Message.PROTOCOL_VERSION,
                List.of(Hello.CAPABILITY_ACK, Hello.CAPABILITY_VERIFY, Hello.CAPABILITY_RESYNC), subscriptions,
                held.forHello());
    }

    @Override
    public boolean serverResyncs() {
        return true;
    }

    @Override
    public void committed(Connection connection, LsnCommitted committed) {
        connection.send(SyncAck.success(connection.clientId(), committed.lsn(), committed.batchId()));
    }

    @Override
    public void duplicate(Connection connection, BatchHeader header) {
        // Its own lsn, not the committed one: acks are cumulative, and the committed LSN may lie beyond
        // what this connection was sent, which a server rejects as out of range.
        connection.send(SyncAck.success(connection.clientId(), header.lsn(), header.batchId()));
    }

    @Override
    public void refused(Connection connection, BatchHeader header, Lsn committed, String message) {
        connection.send(SyncAck.error(connection.clientId(), committed, message, header.batchId()));
    }

    @Override
    public String recovery(Lsn committed) {
        return "the server resends from " + committed;
    }

    @Override
    public String startupWarning() {
        return null;
    }

    @Override
    public String toString() {
        return "ack after commit";
    }
}
