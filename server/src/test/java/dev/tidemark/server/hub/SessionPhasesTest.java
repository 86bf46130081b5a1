package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.server.auth.ClientGrant;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.feed.SnapshotSource;
import dev.tidemark.server.hub.testing.ChangeLogFactory;
import dev.tidemark.server.hub.testing.TestCapture;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One session driven message by message on a real event loop over a real change log: in every phase a message
 * not valid in it gets the protocol's {@code error} and changes nothing (same phase, same stream, nothing else
 * written), and the session goes on as if it had not come.
 */
@DisplayName("Every session phase answers an out-of-phase message with error and changes nothing")
class SessionPhasesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String CLIENT = "phase-client";

    private final MessageCodec codec = new MessageCodec();
    private final AtomicReference<CountDownLatch> stateGate = new AtomicReference<>();
    private final AtomicReference<CountDownLatch> snapshotGate = new AtomicReference<>();
    private ChangeLog log;
    private TestCapture capture;
    private ChangeFeed feed;
    private String historyId;
    private DefaultEventLoop loop;
    private Hub hub;
    private RecordingChannel channel;
    private ClientSession session;

    @BeforeEach
    void start() {
        log = ChangeLogFactory.open();
        historyId = "phases-" + UUID.randomUUID();
        log.startHistory(historyId, Lsn.ZERO);
        feed = new ChangeFeed();
        capture = new TestCapture(log, feed);
        capture.commit("orders", "o", 3);
        loop = new DefaultEventLoop();
        channel = new RecordingChannel(loop);
    }

    @AfterEach
    void stop() throws Exception {
        release(stateGate);
        release(snapshotGate);
        if (session != null) {
            onLoop(() -> {
                session.onClosed();
                return null;
            });
        }
        if (hub != null) {
            hub.close();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        log.close();
    }

    // ---- the phases ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("AwaitingHello: sync_ack and sync_verify get unexpected_message; hello afterwards starts as usual")
    void awaitingHello() throws Exception {
        openSession(Optional.empty());
        SessionPhase awaiting = phase();
        assertThat(awaiting).isInstanceOf(AwaitingHello.class);

        assertRefused(SyncAck.success(CLIENT, Lsn.of(100), "b-1"), ErrorCode.UNEXPECTED_MESSAGE, awaiting);
        assertRefused(new SyncVerify(CLIENT, Lsn.ZERO, null), ErrorCode.UNEXPECTED_MESSAGE, awaiting);
        assertRefused(new Welcome(historyId, Lsn.ZERO, Message.PROTOCOL_VERSION, 4, List.of()),
                ErrorCode.UNEXPECTED_MESSAGE, awaiting);

        send(hello(Lsn.ZERO, null, List.of(Hello.CAPABILITY_ACK)));
        assertThat(next(Welcome.class).historyId()).isEqualTo(historyId);
        awaitPhase(Streaming.class);
        assertThat(stats().acked()).isEqualTo(Lsn.ZERO);
    }

    @Test
    @DisplayName("Starting: hello, sync_ack and sync_verify get unexpected_message; the start goes on from the hello's position")
    void starting() throws Exception {
        openSession(Optional.empty());
        stateGate.set(new CountDownLatch(1));
        send(hello(Lsn.ZERO, null, List.of(Hello.CAPABILITY_ACK)));
        SessionPhase starting = phase();
        assertThat(starting).isInstanceOf(Starting.class);

        assertRefused(hello(Lsn.ZERO, null, List.of(Hello.CAPABILITY_ACK)), ErrorCode.UNEXPECTED_MESSAGE, starting);
        assertRefused(SyncAck.success(CLIENT, Lsn.of(100), "b-1"), ErrorCode.UNEXPECTED_MESSAGE, starting);
        assertRefused(new SyncVerify(CLIENT, Lsn.ZERO, null), ErrorCode.UNEXPECTED_MESSAGE, starting);

        release(stateGate);
        assertThat(next(Welcome.class).historyId()).isEqualTo(historyId);
        awaitPhase(Streaming.class);
        assertThat(stats().acked()).isEqualTo(Lsn.ZERO);
    }

    @Test
    @DisplayName("Streaming: a second hello and a server-to-client message get unexpected_message; the stream is unchanged")
    void streaming() throws Exception {
        openSession(Optional.empty());
        send(hello(Lsn.ZERO, null, List.of(Hello.CAPABILITY_ACK)));
        next(Welcome.class);
        SessionPhase streaming = awaitPhase(Streaming.class);
        await().atMost(WAIT).until(() -> stats().sent().equals(capture.position()));
        SessionStats before = stats();
        channel.messages.clear();

        assertRefused(hello(Lsn.ZERO, null, List.of(Hello.CAPABILITY_ACK)), ErrorCode.UNEXPECTED_MESSAGE, streaming);
        assertRefused(new Welcome(historyId, Lsn.ZERO, Message.PROTOCOL_VERSION, 4, List.of()),
                ErrorCode.UNEXPECTED_MESSAGE, streaming);

        SessionStats after = stats();
        assertThat(after.acked()).isEqualTo(before.acked());
        assertThat(after.sent()).isEqualTo(before.sent());
        assertThat(after.epoch()).isEqualTo(before.epoch());
    }

    @Test
    @DisplayName("Resyncing: sync_ack and hello get unexpected_message, sync_verify rate_limited; the snapshot still follows")
    void resyncing() throws Exception {
        snapshotGate.set(new CountDownLatch(1));
        openSession(Optional.of(snapshots()));
        send(hello(Lsn.of(1), "another-history",
                List.of(Hello.CAPABILITY_ACK, Hello.CAPABILITY_VERIFY, Hello.CAPABILITY_RESYNC)));
        next(Welcome.class);
        SessionPhase resyncing = awaitPhase(Resyncing.class);

        assertRefused(SyncAck.success(CLIENT, Lsn.of(1), "b-1"), ErrorCode.UNEXPECTED_MESSAGE, resyncing);
        assertRefused(hello(Lsn.ZERO, null, List.of(Hello.CAPABILITY_ACK)), ErrorCode.UNEXPECTED_MESSAGE, resyncing);
        assertRefused(new SyncVerify(CLIENT, Lsn.of(1), null), ErrorCode.RATE_LIMITED, resyncing);

        release(snapshotGate);
        SyncVerifyResult announced = next(SyncVerifyResult.class);
        assertThat(announced.status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
        assertThat(announced.snapshotLsn()).isEqualTo(capture.position());
        awaitPhase(Streaming.class);
    }

    @Test
    @DisplayName("Resyncing after streaming: a late sync_ack of a batch the stream sent is ignored, not an error; an ack of"
            + " a batch never sent still is")
    void lateAckWhileResyncing() throws Exception {
        snapshotGate.set(new CountDownLatch(1));
        openSession(Optional.of(snapshots()));
        dev.tidemark.protocol.Changes batch = streamOneBatch();

        resyncNow();
        SessionPhase resyncing = awaitPhase(Resyncing.class);

        send(SyncAck.success(CLIENT, batch.lsn(), batch.batchId()));
        // Answered in order: an error for the late ack would come before the verify's rate_limited.
        send(new SyncVerify(CLIENT, batch.lsn(), null));
        assertThat(next(ErrorMessage.class).code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(phase()).isSameAs(resyncing);
        assertThat(onLoop(() -> resyncing.outbox().window().acked())).as("the late ack changed nothing").isEqualTo(Lsn.ZERO);
        assertRefused(SyncAck.success(CLIENT, batch.lsn(), "b-never-sent"), ErrorCode.UNEXPECTED_MESSAGE, resyncing);

        release(snapshotGate);
        assertThat(next(SyncVerifyResult.class).status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
        awaitPhase(Streaming.class);
    }

    @Test
    @DisplayName("ResyncRequired after streaming: a late sync_ack of a batch the stream sent is ignored, not an error")
    void lateAckAfterResyncRequired() throws Exception {
        openSession(Optional.empty());
        dev.tidemark.protocol.Changes batch = streamOneBatch();

        resyncNow();
        assertThat(next(SyncVerifyResult.class).status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
        SessionPhase required = awaitPhase(ResyncRequired.class);

        send(SyncAck.success(CLIENT, batch.lsn(), batch.batchId()));
        send(new SyncVerify(CLIENT, batch.lsn(), null));
        // next() fails on an error before the answer: the late ack must have none.
        assertThat(next(SyncVerifyResult.class).status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
        assertThat(phase()).isSameAs(required);
        assertThat(onLoop(() -> required.outbox().window().acked())).as("the late ack changed nothing").isEqualTo(Lsn.ZERO);
        assertRefused(SyncAck.success(CLIENT, batch.lsn(), "b-never-sent"), ErrorCode.UNEXPECTED_MESSAGE, required);
        assertRefused(SyncAck.success("another-client", batch.lsn(), batch.batchId()), ErrorCode.UNEXPECTED_MESSAGE,
                required);
    }

    @Test
    @DisplayName("ResyncRequired: sync_ack and hello get unexpected_message; sync_verify is still answered resync_required")
    void resyncRequired() throws Exception {
        openSession(Optional.empty());
        send(hello(Lsn.of(1), "another-history", List.of(Hello.CAPABILITY_ACK, Hello.CAPABILITY_VERIFY)));
        next(Welcome.class);
        assertThat(next(SyncVerifyResult.class).status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
        SessionPhase required = awaitPhase(ResyncRequired.class);

        assertRefused(SyncAck.success(CLIENT, Lsn.of(1), "b-1"), ErrorCode.UNEXPECTED_MESSAGE, required);
        assertRefused(hello(Lsn.ZERO, null, List.of(Hello.CAPABILITY_ACK)), ErrorCode.UNEXPECTED_MESSAGE, required);

        send(new SyncVerify(CLIENT, Lsn.of(1), null));
        assertThat(next(SyncVerifyResult.class).status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
        assertThat(phase()).isSameAs(required);
    }

    @Test
    @DisplayName("Closed: after the server closed (unsupported version), messages are dropped: nothing is written after the close")
    void closed() throws Exception {
        openSession(Optional.empty());
        send(new Hello(CLIENT, Lsn.ZERO, null, Message.PROTOCOL_VERSION + 1, List.of(), List.of()));
        assertThat(next(ErrorMessage.class).code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(channel.closeCode.get()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        SessionPhase closed = phase();
        assertThat(closed).isInstanceOf(Closed.class);

        send(hello(Lsn.ZERO, null, List.of(Hello.CAPABILITY_ACK)));
        send(SyncAck.success(CLIENT, Lsn.of(1), "b-1"));
        send(new SyncVerify(CLIENT, Lsn.ZERO, null));

        assertThat(channel.messages).isEmpty();
        assertThat(phase()).isSameAs(closed);
        assertThat(hub.sessionCount()).isZero();
    }

    @Test
    @DisplayName("the transition table: nothing leaves Closed, nothing returns to AwaitingHello, ResyncRequired only closes")
    void transitions() {
        List<Class<? extends SessionPhase>> all = List.of(AwaitingHello.class, Starting.class, Streaming.class,
                Resyncing.class, ResyncRequired.class, Closed.class);
        List<String> allowed = new ArrayList<>();
        for (Class<? extends SessionPhase> from : all) {
            for (Class<? extends SessionPhase> to : all) {
                if (SessionTransitions.allowed(from, to)) {
                    allowed.add(from.getSimpleName() + "->" + to.getSimpleName());
                }
            }
        }
        assertThat(allowed).containsExactlyInAnyOrder(
                "AwaitingHello->Starting", "AwaitingHello->Closed",
                "Starting->Streaming", "Starting->Resyncing", "Starting->ResyncRequired", "Starting->Closed",
                "Streaming->Resyncing", "Streaming->ResyncRequired", "Streaming->Closed",
                "Resyncing->Streaming", "Resyncing->Closed",
                "ResyncRequired->Closed");
        assertThat(SessionPhase.class.getPermittedSubclasses()).hasSize(all.size());
    }

    // ---- the harness ------------------------------------------------------------------------------------------

    private void openSession(Optional<SnapshotSource> snapshots) throws Exception {
        HubConfig config = HubConfig.builder().historyCheckInterval(Duration.ofHours(1))
                .progressFlushInterval(Duration.ofMillis(100)).build();
        hub = new Hub(config, gated(log), feed, new SimpleMeterRegistry(), Clock.systemUTC(), snapshots);
        hub.start();
        ConnectionRequest request = new ConnectionRequest(ClientGrant.allTypes(CLIENT), Optional.empty(),
                Duration.ofMinutes(5));
        session = onLoop(() -> hub.open(channel, request));
    }

    /** The change log, whose {@code state()} waits while {@link #stateGate} is set. */
    private ChangeLog gated(ChangeLog delegate) {
        return (ChangeLog) Proxy.newProxyInstance(ChangeLog.class.getClassLoader(), new Class<?>[] {ChangeLog.class},
                (proxy, method, args) -> {
                    CountDownLatch gate = stateGate.get();
                    if (method.getName().equals("state") && gate != null) {
                        gate.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** A snapshot of the captured orders that opens only once {@link #snapshotGate} is released. */
    private SnapshotSource snapshots() {
        return entityTypes -> {
            CountDownLatch gate = snapshotGate.get();
            if (gate != null) {
                try {
                    gate.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            Lsn position = capture.position();
            List<Change> pending = new ArrayList<>(List.of(Change.truncate("orders", Instant.EPOCH)));
            return new SnapshotSource.Snapshot() {
                @Override
                public Lsn position() {
                    return position;
                }

                @Override
                public List<String> entityTypes() {
                    return List.of("orders");
                }

                @Override
                public List<Change> next(int max, long maxBytes) {
                    List<Change> chunk = new ArrayList<>(pending);
                    pending.clear();
                    return chunk;
                }

                @Override
                public void close() {}
            };
        };
    }

    /** Streams the captured orders to an acking client and returns their batch, not acknowledged. */
    private dev.tidemark.protocol.Changes streamOneBatch() throws Exception {
        send(hello(Lsn.ZERO, null, List.of(Hello.CAPABILITY_ACK, Hello.CAPABILITY_VERIFY, Hello.CAPABILITY_RESYNC)));
        next(Welcome.class);
        awaitPhase(Streaming.class);
        dev.tidemark.protocol.Changes batch = next(dev.tidemark.protocol.Changes.class);
        await().atMost(WAIT).until(() -> stats().sent().equals(capture.position()));
        assertThat(batch.lsn()).isEqualTo(capture.position());
        return batch;
    }

    /** The server decides, while the batch waits for its ack, that the client must resync. */
    private void resyncNow() throws Exception {
        onLoop(() -> {
            session.resync("the test's resync", Lsn.ZERO, capture.position());
            return null;
        });
    }

    private static void release(AtomicReference<CountDownLatch> gate) {
        CountDownLatch latch = gate.getAndSet(null);
        if (latch != null) {
            latch.countDown();
        }
    }

    private Hello hello(Lsn lastLsn, String history, List<String> capabilities) {
        return new Hello(CLIENT, lastLsn, history, Message.PROTOCOL_VERSION, capabilities, List.of());
    }

    /** Sends {@code message} and checks it got {@code code}, nothing else was written, and the phase stayed. */
    private void assertRefused(Message message, ErrorCode code, SessionPhase phase) throws Exception {
        send(message);
        assertThat(next(ErrorMessage.class).code()).as("answer to %s in %s", message.type(), phase.name())
                .isEqualTo(code);
        assertThat(channel.messages).as("written after the error").isEmpty();
        assertThat(channel.closeCode.get()).as("close code").isZero();
        assertThat(phase()).isSameAs(phase);
    }

    private void send(Message message) throws Exception {
        Message decoded = codec.decode(codec.encode(message));
        onLoop(() -> {
            session.onMessage(decoded);
            return null;
        });
    }

    private SessionPhase phase() throws Exception {
        return onLoop(() -> session.phase());
    }

    private SessionPhase awaitPhase(Class<? extends SessionPhase> type) {
        AtomicReference<SessionPhase> seen = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            seen.set(phase());
            return type.isInstance(seen.get());
        });
        return seen.get();
    }

    private SessionStats stats() throws Exception {
        return session.stats().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private <T extends Message> T next(Class<T> type) throws InterruptedException {
        while (true) {
            Message message = channel.messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(message).as("a %s within %s", type.getSimpleName(), WAIT).isNotNull();
            if (type.isInstance(message)) {
                return type.cast(message);
            }
            assertThat(message).as("only batches may come before the %s", type.getSimpleName())
                    .isInstanceOf(dev.tidemark.protocol.Changes.class);
        }
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A connection that decodes what the session writes and records the close code. */
    private final class RecordingChannel implements ClientChannel {

        final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
        final AtomicInteger closeCode = new AtomicInteger();
        private final EventExecutor executor;

        RecordingChannel(EventExecutor executor) {
            this.executor = executor;
        }

        @Override
        public EventExecutor executor() {
            return executor;
        }

        @Override
        public ByteBufAllocator alloc() {
            return UnpooledByteBufAllocator.DEFAULT;
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public long pendingOutboundBytes() {
            return 0;
        }

        @Override
        public void write(ByteBuf text) {
            try {
                messages.add(codec.decode(text.toString(StandardCharsets.UTF_8)));
            } finally {
                text.release();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close(int statusCode, String reason) {
            closeCode.set(statusCode);
        }

        @Override
        public String remoteAddress() {
            return "test";
        }
    }
}
