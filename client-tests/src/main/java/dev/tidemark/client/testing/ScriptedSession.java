package dev.tidemark.client.testing;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.AckStatus;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.ProtocolException;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.protocol.Welcome;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The server side of one connection: answers {@code hello} with {@code welcome} (or a resync
 * verdict), streams batches from the {@link ServerHistory} within the window (legacy clients without
 * it), takes acks, rewinds and resends after an error ack (ignoring stale error acks by batch id
 * epoch, like the reference hub), answers {@code sync_verify}. Runs on its channel's event loop.
 */
final class ScriptedSession extends SimpleChannelInboundHandler<TextWebSocketFrame> {

    private final int id;
    private final ScriptedServer server;
    private final MessageCodec codec = new MessageCodec();
    private final ArrayDeque<Lsn> unacked = new ArrayDeque<>();

    private Channel channel;
    private Hello hello;
    private boolean legacy;
    private Lsn sent;
    private Lsn acked;
    private int nextIndex;
    private int epoch;
    private boolean rewindPending;
    private boolean dropped;

    ScriptedSession(int id, ScriptedServer server) {
        this.id = id;
        this.server = requireNonNull(server, "server is null");
    }

    int id() {
        return id;
    }

    Channel channel() {
        return channel;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
        Message message;
        try {
            message = codec.decode(frame.text());
        } catch (ProtocolException e) {
            server.protocolViolation(id, e.getMessage());
            send(ErrorMessage.of(e));
            return;
        }
        server.record(new Recorded(id, message));
        if (message instanceof Hello h) {
            onHello(h);
        } else if (message instanceof SyncAck ack) {
            onAck(ack);
        } else if (message instanceof SyncVerify verify) {
            send(server.refusesVerify() ? new ErrorMessage(ErrorCode.RATE_LIMITED,
                    "too many sync_verify requests: at most one per 1000 ms; retry in 1000 ms") : server.answer(verify));
        } else if (message instanceof dev.tidemark.protocol.SourceAuditMessage audit && server.answersSourceVerify()) {
            server.answer(audit).forEach(this::send);
        } else if (!(message instanceof ErrorMessage)) {
            server.protocolViolation(id, "a client sent '" + message.type() + "'");
            send(new ErrorMessage(ErrorCode.UNEXPECTED_MESSAGE, "a server does not accept '" + message.type() + "'"));
        }
    }

    private void onHello(Hello h) {
        if (hello != null) {
            send(new ErrorMessage(ErrorCode.UNEXPECTED_MESSAGE, "a second hello"));
            return;
        }
        ServerHistory history = server.history();
        Lsn head = history.head();
        String historyId = server.historyId();
        boolean mismatch = (h.historyId() != null && !h.historyId().equals(historyId))
                || (h.historyId() == null && !h.lastLsn().equals(Lsn.ZERO) && h.has(Hello.CAPABILITY_ACK))
                || h.lastLsn().isAfter(head) || !history.isBoundary(h.lastLsn());
        if (mismatch) {
            send(new SyncVerifyResult(VerifyStatus.RESYNC_REQUIRED, h.lastLsn(), head));
            return;
        }
        hello = h;
        legacy = !h.has(Hello.CAPABILITY_ACK);
        sent = h.lastLsn();
        acked = h.lastLsn();
        nextIndex = history.indexAfter(sent);
        send(new Welcome(historyId, head, Message.PROTOCOL_VERSION, server.window(), server.incompleteEntityTypes()));
        pump();
    }

    private void onAck(SyncAck ack) {
        if (hello == null || legacy) {
            return;
        }
        if (ack.status() == AckStatus.SUCCESS) {
            if (!ack.lsn().isAfter(acked)) {
                return;
            }
            if (ack.lsn().isAfter(sent)) {
                server.protocolViolation(id, "ack at " + ack.lsn() + " beyond what was sent (" + sent + ")");
                send(new ErrorMessage(ErrorCode.ACK_OUT_OF_RANGE, "ack at " + ack.lsn() + " beyond " + sent));
                return;
            }
            while (!unacked.isEmpty() && !unacked.peekFirst().isAfter(ack.lsn())) {
                unacked.removeFirst();
            }
            acked = ack.lsn();
            pump();
            return;
        }
        if (epochOf(ack.batchId()) < epoch) {
            return; // an error ack for a batch sent before the last rewind: already handled
        }
        epoch++;
        sent = ack.lsn();
        acked = ack.lsn();
        unacked.clear();
        nextIndex = server.history().indexAfter(sent);
        rewindPending = true;
        server.rewound();
        channel.eventLoop().schedule(() -> {
            rewindPending = false;
            pump();
        }, server.resendDelay().toNanos(), TimeUnit.NANOSECONDS);
    }

    private static int epochOf(String batchId) {
        if (batchId == null) {
            return Integer.MAX_VALUE;
        }
        int dot = batchId.lastIndexOf('.');
        return dot < 0 ? 0 : Integer.parseInt(batchId.substring(dot + 1));
    }

    /** Sends batches while the window, the socket and the script allow. Event loop only. */
    void pump() {
        if (hello == null || dropped || rewindPending || !server.streaming() || !channel.isActive()) {
            return;
        }
        boolean wrote = false;
        while ((legacy || unacked.size() < server.window()) && channel.isWritable()) {
            List<Transaction> batch = nextBatch();
            if (batch.isEmpty()) {
                wrote |= moveToHead();
                break;
            }
            wrote = true;
            if (!sendBatch(batch)) {
                return;
            }
        }
        if (wrote) {
            channel.flush();
        }
    }

    /**
     * With nothing to send but the client behind the head (a history that starts after the client's
     * position), an empty batch moves it there, as the reference hub does for quiet clients.
     */
    private boolean moveToHead() {
        Lsn head = server.history().head();
        if (!sent.isBefore(head)) {
            return false;
        }
        String batchId = Long.toHexString(head.value()).toUpperCase(Locale.ROOT) + (epoch == 0 ? "" : "." + epoch);
        channel.write(new TextWebSocketFrame(codec.encode(Changes.of(new ChangeBatch(batchId, sent, head, List.of())))));
        sent = head;
        if (!legacy) {
            unacked.addLast(head);
        }
        server.batchSent(head);
        return true;
    }

    private List<Transaction> nextBatch() {
        ServerHistory history = server.history();
        List<Transaction> batch = new ArrayList<>();
        int changes = 0;
        for (int index = nextIndex; ; index++) {
            Transaction transaction = history.at(index);
            if (transaction == null) {
                break;
            }
            int size = transaction.changes().size();
            if (!batch.isEmpty() && (changes + size > server.batchMaxChanges() || size > server.partMaxChanges())) {
                break;
            }
            batch.add(transaction);
            changes += size;
            if (size > server.partMaxChanges() || changes >= server.batchMaxChanges()) {
                break;
            }
        }
        return batch;
    }

    /** Writes one batch (in parts when larger than the part bound); false when a fault dropped the connection. */
    private boolean sendBatch(List<Transaction> transactions) {
        Lsn prev = sent;
        Lsn lsn = transactions.get(transactions.size() - 1).lsn();
        String batchId = Long.toHexString(lsn.value()).toUpperCase(Locale.ROOT) + (epoch == 0 ? "" : "." + epoch);
        List<Change> changes = new ArrayList<>();
        transactions.forEach(transaction -> changes.addAll(transaction.changes()));
        if (changes.size() <= server.partMaxChanges()) {
            if (!write(Changes.of(new ChangeBatch(batchId, prev, lsn, changes)), lsn, 0)) {
                return false;
            }
        } else {
            int parts = (changes.size() + server.partMaxChanges() - 1) / server.partMaxChanges();
            for (int part = 1; part <= parts; part++) {
                List<Change> data = changes.subList((part - 1) * server.partMaxChanges(),
                        Math.min(changes.size(), part * server.partMaxChanges()));
                if (!write(Changes.part(batchId, prev, lsn, part, part == parts, data), lsn, part)) {
                    return false;
                }
            }
        }
        sent = lsn;
        nextIndex += transactions.size();
        if (!legacy) {
            unacked.addLast(lsn);
        }
        server.batchSent(lsn);
        return true;
    }

    private boolean write(Changes message, Lsn lsn, int part) {
        if (server.takeFault(ScriptedServer.FaultKind.CORRUPT_CHECKSUM, lsn, part)) {
            message = new Changes(message.batchId(), message.prevLsn(), message.lsn(), message.checksum() + 1,
                    message.part(), message.last(), message.data());
        }
        channel.write(new TextWebSocketFrame(codec.encode(message)));
        if (server.takeFault(ScriptedServer.FaultKind.DROP_AFTER, lsn, part)) {
            dropped = true;
            channel.flush();
            channel.close();
            return false;
        }
        if (server.takeFault(ScriptedServer.FaultKind.STALL_AFTER, lsn, part)) {
            dropped = true;
            channel.flush();
            return false;
        }
        return true;
    }

    /** Writes and flushes one message. Any thread. */
    void send(Message message) {
        channel.writeAndFlush(new TextWebSocketFrame(codec.encode(message)));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            pump();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        server.sessionClosed(this);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
