package dev.tidemark.client.testing;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;

/**
 * A test-only Tidemark server on loopback that speaks the server side of protocol v1 from a
 * {@link ServerHistory} the test fills — hello/welcome, streaming within the window, acks, rewind and
 * resend after an error ack, multi-part batches, verify, legacy clients — and records every message
 * it receives. Faults are scripted: a corrupt checksum on a chosen batch or part, a connection
 * dropped after a chosen part, all connections dropped, streaming paused, a changed history.
 * With streaming off, a test talks to the client by hand ({@link #send(Message)}).
 */
public final class ScriptedServer implements AutoCloseable {

    /** The sync endpoint's path. */
    public static final String PATH = "/sync";

    enum FaultKind { CORRUPT_CHECKSUM, DROP_AFTER, STALL_AFTER }

    private record Fault(FaultKind kind, Lsn batchEnd, int part) {}

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ServerHistory history;
    private final int window;
    private final int batchMaxChanges;
    private final int partMaxChanges;
    private final String token;
    private final Duration resendDelay;
    private final CopyOnWriteArrayList<Recorded> received = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<ScriptedSession> sessions = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<String> authorizations = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<String> violations = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<Recorded>> receiveHooks = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger batchesSent = new AtomicInteger();
    private final AtomicInteger rewinds = new AtomicInteger();
    private volatile boolean streaming;
    private volatile String historyId;
    private volatile Function<SyncVerify, SyncVerifyResult> verifyAnswer;
    private volatile Function<dev.tidemark.protocol.SourceAuditMessage, List<Message>> sourceAnswer;

    private final SslContext tls;

    private ScriptedServer(Builder builder) {
        this.tls = builder.tls;
        this.history = new ServerHistory(builder.startLsn);
        this.window = builder.window;
        this.batchMaxChanges = builder.batchMaxChanges;
        this.partMaxChanges = builder.partMaxChanges;
        this.token = builder.token;
        this.resendDelay = builder.resendDelay;
        this.streaming = builder.streaming;
        this.historyId = builder.historyId;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("scripted-server"),
                NioIoHandler.newFactory());
        this.serverChannel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        ScriptedSession session = new ScriptedSession(connections.incrementAndGet(), ScriptedServer.this);
                        sessions.add(session);
                        if (tls != null) {
                            channel.pipeline().addLast(tls.newHandler(channel.alloc()));
                        }
                        channel.pipeline().addLast(
                                new HttpServerCodec(),
                                new HttpObjectAggregator(64 * 1024),
                                new UpgradeGate(ScriptedServer.this),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath(PATH)
                                        .checkStartsWith(true)
                                        .maxFramePayloadLength(1024 * 1024)
                                        .build()),
                                new WebSocketFrameAggregator(1024 * 1024),
                                session);
                    }
                })
                .bind("127.0.0.1", builder.port)
                .syncUninterruptibly()
                .channel();
        history.onAppend(this::pumpAll);
    }

    /** A builder with the defaults: window 8, batches up to 1000 changes, parts of 500, no token. */
    public static Builder builder() {
        return new Builder();
    }

    /** The URL clients connect to. */
    public URI uri() {
        InetSocketAddress address = (InetSocketAddress) serverChannel.localAddress();
        return URI.create((tls == null ? "ws" : "wss") + "://127.0.0.1:" + address.getPort() + PATH);
    }

    public ServerHistory history() {
        return history;
    }

    public String historyId() {
        return historyId;
    }

    /** Starts a new history under the same data, as after a new replication slot: clients must resync. */
    public void historyId(String historyId) {
        this.historyId = requireNonNull(historyId, "historyId is null");
    }

    // ---- script ---------------------------------------------------------------------------------

    /** Starts or stops streaming batches (acks, verify and hello are answered either way). */
    public void streaming(boolean on) {
        streaming = on;
        if (on) {
            pumpAll();
        }
    }

    /** The next send of the batch ending at {@code batchEnd} (part {@code part}, 0 when single) carries a wrong checksum. */
    public void corruptChecksumOnce(Lsn batchEnd, int part) {
        faults.add(new Fault(FaultKind.CORRUPT_CHECKSUM, batchEnd, part));
    }

    /** The next send of the batch ending at {@code batchEnd} closes the socket right after part {@code part} (0 when single). */
    public void dropAfterOnce(Lsn batchEnd, int part) {
        faults.add(new Fault(FaultKind.DROP_AFTER, batchEnd, part));
    }

    /**
     * The next send of the batch ending at {@code batchEnd} stops after part {@code part}: the
     * connection stays open but nothing more is streamed on it.
     */
    public void stallAfterOnce(Lsn batchEnd, int part) {
        faults.add(new Fault(FaultKind.STALL_AFTER, batchEnd, part));
    }

    /**
     * Refuses the next {@code count} {@code sync_verify} requests with {@code error rate_limited}, as the real
     * server does for a client that verifies more often than its verify interval allows.
     */
    public void refuseVerifies(int count) {
        verifiesToRefuse.set(count);
    }

    /** Whether this {@code sync_verify} is refused (see {@link #refuseVerifies}); counts it down. */
    boolean refusesVerify() {
        return verifiesToRefuse.getAndUpdate(left -> Math.max(0, left - 1)) > 0;
    }

    private final java.util.concurrent.atomic.AtomicInteger verifiesToRefuse =
            new java.util.concurrent.atomic.AtomicInteger();

    /** Answers {@code sync_verify} with {@code answer} instead of checking the history. */
    public void verifyAnswer(Function<SyncVerify, SyncVerifyResult> answer) {
        this.verifyAnswer = answer;
    }

    /** Closes every connection's socket at once, without a close frame. */
    public void dropAll() {
        for (ScriptedSession session : sessions) {
            session.channel().close();
        }
    }

    /** Sends a close frame with {@code code} on every connection, then closes it. */
    public void closeAll(int code, String reason) {
        for (ScriptedSession session : sessions) {
            Channel channel = session.channel();
            channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(done -> channel.close());
        }
    }

    /** Sends {@code message} on the newest connection (for scripted conversations with streaming off). */
    public void send(Message message) {
        newestSession().send(message);
    }

    /** Sends raw text on the newest connection. */
    public void sendRaw(String text) {
        newestSession().channel().writeAndFlush(new TextWebSocketFrame(text));
    }

    /** Calls {@code hook} on the server's thread for every message received, before it is handled. */
    public void onReceive(Consumer<Recorded> hook) {
        receiveHooks.add(requireNonNull(hook, "hook is null"));
    }

    private ScriptedSession newestSession() {
        for (int i = sessions.size() - 1; i >= 0; i--) {
            if (sessions.get(i).channel().isActive()) {
                return sessions.get(i);
            }
        }
        throw new IllegalStateException("no client is connected");
    }

    // ---- observations ----------------------------------------------------------------------------

    /**
     * Answers the client's verify-against-the-source messages ({@code source_verify}, {@code source_diff},
     * {@code source_entries}) with what {@code answer} returns, in order; without it they are refused as unexpected.
     */
    public void sourceVerifyAnswer(Function<dev.tidemark.protocol.SourceAuditMessage, List<Message>> answer) {
        this.sourceAnswer = requireNonNull(answer, "answer is null");
    }

    boolean answersSourceVerify() {
        return sourceAnswer != null;
    }

    List<Message> answer(dev.tidemark.protocol.SourceAuditMessage message) {
        return sourceAnswer.apply(message);
    }

    /** Every message received, in order. */
    public List<Recorded> received() {
        return List.copyOf(received);
    }

    /** Every {@code hello} received, in order. */
    public List<Hello> hellos() {
        return messages(Hello.class);
    }

    /** Every {@code sync_ack} received, in order. */
    public List<SyncAck> acks() {
        return messages(SyncAck.class);
    }

    /** Every {@code sync_verify} received, in order. */
    public List<SyncVerify> verifies() {
        return messages(SyncVerify.class);
    }

    /** The messages of one type, in order. */
    public <M extends Message> List<M> messages(Class<M> type) {
        return received.stream().map(Recorded::message).filter(type::isInstance).map(type::cast).toList();
    }

    /** The highest LSN acknowledged with success, if any. */
    public Optional<Lsn> highestSuccessAck() {
        return acks().stream().filter(ack -> ack.status() == dev.tidemark.protocol.AckStatus.SUCCESS)
                .map(SyncAck::lsn).max(Lsn::compareTo);
    }

    /** The {@code Authorization} header of every upgrade request, in order ({@code null} when absent). */
    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    /** Protocol violations the server saw (acks beyond what was sent, malformed messages…). */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** How many connections were accepted. */
    public int connections() {
        return connections.get();
    }

    /** How many complete batches were sent. */
    public int batchesSent() {
        return batchesSent.get();
    }

    /** How many times a connection rewound after an error ack. */
    public int rewinds() {
        return rewinds.get();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        sessions.forEach(session -> session.channel().close());
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    // ---- for sessions ----------------------------------------------------------------------------

    /** The entity types the next {@code welcome}s report as incomplete (none by default). */
    public void incompleteEntityTypes(List<String> types) {
        this.incomplete = List.copyOf(types);
    }

    List<String> incompleteEntityTypes() {
        return incomplete;
    }

    private volatile List<String> incomplete = List.of();

    int window() {
        return window;
    }

    int batchMaxChanges() {
        return batchMaxChanges;
    }

    int partMaxChanges() {
        return partMaxChanges;
    }

    String requiredToken() {
        return token;
    }

    Duration resendDelay() {
        return resendDelay;
    }

    boolean streaming() {
        return streaming;
    }

    void upgradeRequested(String authorization) {
        authorizations.add(authorization == null ? "<none>" : authorization);
    }

    void record(Recorded recorded) {
        receiveHooks.forEach(hook -> hook.accept(recorded));
        received.add(recorded);
    }

    void protocolViolation(int connection, String problem) {
        violations.add("connection " + connection + ": " + problem);
    }

    void batchSent(Lsn lsn) {
        batchesSent.incrementAndGet();
    }

    void rewound() {
        rewinds.incrementAndGet();
    }

    void sessionClosed(ScriptedSession session) {
        sessions.remove(session);
    }

    boolean takeFault(FaultKind kind, Lsn batchEnd, int part) {
        for (Fault fault : faults) {
            if (fault.kind() == kind && fault.batchEnd().equals(batchEnd) && fault.part() == part) {
                return faults.remove(fault);
            }
        }
        return false;
    }

    SyncVerifyResult answer(SyncVerify verify) {
        Function<SyncVerify, SyncVerifyResult> scripted = verifyAnswer;
        if (scripted != null) {
            return scripted.apply(verify);
        }
        Lsn head = history.head();
        Lsn position = verify.lastLsn();
        boolean known = !position.isAfter(head) && history.isBoundary(position);
        boolean checksumAgrees = verify.checksum() == null || verify.checksum() == history.checksumUpTo(position);
        VerifyStatus status = !known || !checksumAgrees ? VerifyStatus.RESYNC_REQUIRED
                : position.equals(head) ? VerifyStatus.UP_TO_DATE : VerifyStatus.CHANGES_FOLLOW;
        return new SyncVerifyResult(status, position, head);
    }

    private void pumpAll() {
        for (ScriptedSession session : sessions) {
            session.channel().eventLoop().execute(session::pump);
        }
    }

    /** Settings of a {@link ScriptedServer}. */
    public static final class Builder {
        private String historyId = "scripted-history-1";
        private Lsn startLsn = Lsn.parse("0/1000000");
        private int window = 8;
        private int batchMaxChanges = 1000;
        private int partMaxChanges = 500;
        private String token;
        private Duration resendDelay = Duration.ofMillis(20);
        private boolean streaming = true;
        private int port;
        private SslContext tls;

        private Builder() {}

        /** Serve {@code wss://} with the key and certificate of {@code keys}. */
        public Builder tls(KeyManagerFactory keys) {
            try {
                this.tls = SslContextBuilder.forServer(keys).build();
            } catch (SSLException e) {
                throw new IllegalStateException("cannot set TLS up", e);
            }
            return this;
        }

        /** The loopback port to listen on; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder historyId(String historyId) {
            this.historyId = requireNonNull(historyId, "historyId is null");
            return this;
        }

        /** The position the history starts at (a client starting from 0/0 is accepted too). */
        public Builder startLsn(Lsn startLsn) {
            this.startLsn = requireNonNull(startLsn, "startLsn is null");
            return this;
        }

        public Builder window(int window) {
            this.window = window;
            return this;
        }

        /** Whole transactions are grouped into one batch up to this many changes. */
        public Builder batchMaxChanges(int changes) {
            this.batchMaxChanges = changes;
            return this;
        }

        /** A transaction with more changes than this travels as a multi-part batch. */
        public Builder partMaxChanges(int changes) {
            this.partMaxChanges = changes;
            return this;
        }

        /** Require {@code Authorization: Bearer <token>} on the upgrade (HTTP 401 otherwise). */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        public Builder resendDelay(Duration delay) {
            this.resendDelay = requireNonNull(delay, "delay is null");
            return this;
        }

        /** Whether batches are streamed on their own (default) or the test sends by hand. */
        public Builder streaming(boolean streaming) {
            this.streaming = streaming;
            return this;
        }

        public ScriptedServer start() {
            return new ScriptedServer(this);
        }
    }
}
