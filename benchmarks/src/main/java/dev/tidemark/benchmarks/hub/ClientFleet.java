package dev.tidemark.benchmarks.hub;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.Welcome;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's clients, in their own JVM so the server's heap is measured alone: N WebSocket clients that
 * say hello with acks, decode every {@code changes} message, ack it, count its changes and sample the latency
 * from the change's commit timestamp to receipt. Driven over stdin/stdout by {@link FanOutBenchmark}:
 * prints {@code READY}; then for each phase counts from {@code GO} to {@code STOP} and prints
 * {@code RESULT ...}; ends at end of input. Arguments: port, count, and optionally an id prefix (default {@code
 * bench}), the position every client starts from and the history id (default: from {@code 0/0}, no history) — the
 * cluster benchmark starts each node's clients at the change log's position, with ids unique across nodes.
 */
public final class ClientFleet {

    private static final MessageCodec CODEC = new MessageCodec();

    /** Whether clients count now; flipped by the main thread, read on the event loops. */
    private static volatile boolean counting;
    /** The measurement phase; a client seeing a new one resets its counters. */
    private static volatile int phase;

    private ClientFleet() {}

    /** One client's counters; touched only on its event loop until STOP. */
    private static final class Client extends SimpleChannelInboundHandler<Object> {
        final String id;
        final WebSocketClientHandshaker handshaker;
        final CountDownLatch welcomed;
        final Lsn from;
        final String history;
        int myPhase;
        long changes;
        long[] latencies = new long[1024];
        int samples;

        Client(String id, WebSocketClientHandshaker handshaker, CountDownLatch welcomed, Lsn from, String history) {
            this.id = id;
            this.from = from;
            this.history = history;
            this.handshaker = handshaker;
            this.welcomed = welcomed;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            handshaker.handshake(ctx.channel());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (!handshaker.isHandshakeComplete() && msg instanceof FullHttpResponse response) {
                handshaker.finishHandshake(ctx.channel(), response);
                ctx.writeAndFlush(new TextWebSocketFrame(CODEC.encode(new Hello(id, from, history,
                        Message.PROTOCOL_VERSION, List.of(Hello.CAPABILITY_ACK), List.of()))));
                return;
            }
            if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
                return;
            }
            if (!(msg instanceof TextWebSocketFrame frame)) {
                return;
            }
            long receivedMicros = micros(Instant.now());
            Message message = CODEC.decode(frame.text());
            if (message instanceof Welcome) {
                welcomed.countDown();
            } else if (message instanceof Changes batch) {
                if (counting) {
                    if (myPhase != phase) {
                        myPhase = phase;
                        changes = 0;
                        samples = 0;
                    }
                    changes += batch.data().size();
                    if (!batch.data().isEmpty()) {
                        if (samples == latencies.length) {
                            latencies = Arrays.copyOf(latencies, samples * 2);
                        }
                        latencies[samples++] = receivedMicros - micros(batch.data().get(0).timestamp());
                    }
                }
                if (batch.completesBatch()) {
                    ctx.writeAndFlush(new TextWebSocketFrame(CODEC.encode(SyncAck.success(id, batch.lsn(), batch.batchId()))));
                }
            }
        }

        private static long micros(Instant instant) {
            return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1000;
        }
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        String prefix = args.length > 2 ? args[2] : "bench";
        Lsn from = args.length > 3 ? Lsn.parse(args[3]) : Lsn.ZERO;
        String history = args.length > 4 ? args[4] : null;
        URI uri = URI.create("ws://127.0.0.1:" + port + "/sync");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        CountDownLatch welcomed = new CountDownLatch(count);
        List<Client> clients = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Client client = new Client(prefix + "-" + i, WebSocketClientHandshakerFactory.newHandshaker(uri,
                    WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 64 * 1024 * 1024), welcomed, from, history);
            clients.add(client);
            channels.add(new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                    new WebSocketFrameAggregator(64 * 1024 * 1024), client);
                        }
                    }).connect(uri.getHost(), port).sync().channel());
        }
        if (!welcomed.await(120 + count / 50, TimeUnit.SECONDS)) {
            throw new IllegalStateException((count - welcomed.getCount()) + " of " + count + " clients were welcomed");
        }
        System.out.println("READY");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String command;
        while ((command = in.readLine()) != null && command.equals("GO")) {
            measure(clients, channels, in);
        }
        channels.forEach(Channel::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Counts from now until STOP, prints RESULT, and resets the counters. */
    private static void measure(List<Client> clients, List<Channel> channels, BufferedReader in) throws Exception {
        int count = clients.size();
        int current = phase + 1;
        phase = current;
        counting = true;
        long started = System.nanoTime();
        expect(in, "STOP");
        counting = false;
        double seconds = (System.nanoTime() - started) / 1e9;
        long[] perClient = new long[count];
        List<long[]> allLatencies = new ArrayList<>();
        int totalSamples = 0;
        for (int i = 0; i < count; i++) {
            Client client = clients.get(i);
            Object[] snapshot = channels.get(i).eventLoop().submit(() -> client.myPhase != current
                    ? new Object[] {0L, new long[0]}
                    : new Object[] {client.changes, Arrays.copyOf(client.latencies, client.samples)}).get();
            perClient[i] = (Long) snapshot[0];
            long[] latencies = (long[]) snapshot[1];
            allLatencies.add(latencies);
            totalSamples += latencies.length;
        }
        long[] merged = new long[totalSamples];
        int at = 0;
        for (long[] latencies : allLatencies) {
            System.arraycopy(latencies, 0, merged, at, latencies.length);
            at += latencies.length;
        }
        Arrays.sort(merged);
        Arrays.sort(perClient);
        long total = Arrays.stream(perClient).sum();
        System.out.printf(java.util.Locale.ROOT, "RESULT %.3f %d %d %d %d %d %d%n", seconds, total, perClient[0],
                perClient[count / 2], perClient[count - 1], percentile(merged, 0.50), percentile(merged, 0.99));
        System.out.flush();
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }

    private static void expect(BufferedReader in, String word) throws java.io.IOException {
        String line = in.readLine();
        if (!word.equals(line)) {
            throw new IllegalStateException("expected " + word + " on stdin, got " + line);
        }
    }
}
