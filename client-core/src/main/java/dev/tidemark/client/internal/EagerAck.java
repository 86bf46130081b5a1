package dev.tidemark.client.internal;

import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.LsnCommitted;
import dev.tidemark.protocol.Message;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The documented-unsafe fallback (the seed's pre-ack behaviour): the client declares no {@code ack} capability
 * and acknowledges nothing; after a reconnect it resumes from the end of the last complete batch it
 * <em>received</em>, unless a batch was refused since, when it resumes from the store's committed LSN (the
 * connection that carried the refused batch is dropped for that).
 */
final class EagerAck implements AckPolicy {

    /** End of the last complete batch received per open connection; removed when it must not be resumed from. */
    private final Map<Connection, Lsn> receivedBy = new ConcurrentHashMap<>();
    /** Where the client may resume from, by what closed connections received; or null. */
    private volatile Lsn resume;

    @Override
    public Hello hello(String clientId, Lsn committed, String historyId, List<String> subscriptions, HeldTypes held) {
        Lsn received = resume;
        Lsn from = received != null && received.isAfter(committed) ? received : committed;
        return new Hello(clientId, from, historyId, Message.PROTOCOL_VERSION, List.of(Hello.CAPABILITY_VERIFY),
                subscriptions, null);
    }

    @Override
    public boolean serverResyncs() {
        return false;
    }

    @Override
    public void received(Connection connection, Changes changes) {
        if (changes.completesBatch()) {
            receivedBy.put(connection, changes.lsn());
        }
    }

    @Override
    public void closed(Connection connection) {
        Lsn received = receivedBy.remove(connection);
        if (received != null) {
            resume = resume == null ? received : Lsn.max(resume, received);
        }
    }

    @Override
    public void committed(Connection connection, LsnCommitted committed) {
        // nothing is acknowledged
    }

    @Override
    public void duplicate(Connection connection, BatchHeader header) {
        // nothing is acknowledged
    }

    /** Drops the connection and resumes from the committed LSN instead of the received position. */
    @Override
    public void refused(Connection connection, BatchHeader header, Lsn committed, String message) {
        connection.channel().eventLoop().execute(() -> {
            receivedBy.remove(connection);
            resume = null;
            if (connection.isOpen()) {
                connection.close(1000, "a received batch was not applied");
            }
        });
    }

    @Override
    public String recovery(Lsn committed) {
        return "reconnecting from " + committed;
    }

    @Override
    public String startupWarning() {
        return "eager mode: the position is taken on receipt and nothing is acknowledged. This is the"
                + " unsafe pre-ack behaviour, kept only as a fallback.";
    }

    @Override
    public String toString() {
        return "eager (no acks)";
    }
}
