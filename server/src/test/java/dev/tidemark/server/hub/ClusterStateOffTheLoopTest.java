package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SourceVerify;
import dev.tidemark.protocol.SourceVerifyResult;
import dev.tidemark.protocol.SourceVerifyStatus;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.recovery.Admission;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.Authenticator;
import dev.tidemark.server.feed.CaptureHealth;
import dev.tidemark.server.feed.SnapshotSource;
import dev.tidemark.server.http.SyncServer;
import dev.tidemark.server.hub.testing.WsTestClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The cluster state is asked off the event loops: a slow one stalls no other client (issue 14)")
class ClusterStateOffTheLoopTest extends HubTestBase {

    /**
     * The one-node state, but its verify limits and resync admissions wait for {@link #open()} once {@link
     * #close()}d, as a slow or unreachable database makes them wait.
     */
    private static final class Blocking implements ClusterState {

        private final LocalClusterState local;
        private final CountDownLatch gate = new CountDownLatch(1);
        private final CountDownLatch entered = new CountDownLatch(1);
        private final AtomicInteger asked = new AtomicInteger();
        private volatile boolean blocking;
        /** Whether the rate limits refuse every request (after waiting, when blocking). */
        private volatile boolean refusing;

        Blocking(HubConfig config) {
            this.local = new LocalClusterState(config);
        }

        void block() {
            blocking = true;
        }

        void open() {
            gate.countDown();
        }

        boolean awaitBlocked() throws InterruptedException {
            return entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void pass() {
            asked.incrementAndGet();
            if (!blocking) {
                return;
            }
            entered.countDown();
            try {
                // Bounded, so a hub that blocks its event loop here (the bug) still lets the test end.
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void start(ClaimListener listener) {
        }

        @Override
        public OptionalLong claim(String clientId, String session) {
            return local.claim(clientId, session);
        }

        @Override
        public Admission admitResync(String clientId) {
            pass();
            return local.admitResync(clientId);
        }

        @Override
        public Admission allow(String clientId, RequestKind kind) {
            pass();
            return refusing ? new Admission(false, Duration.ofMillis(700)) : local.allow(clientId, kind);
        }

        @Override
        public int resyncWaiting() {
            return local.resyncWaiting();
        }

        @Override
        public void close() {
            open();
        }
    }

    private Blocking state;

    @AfterEach
    void openTheState() {
        if (state != null) {
            state.open();
        }
    }

    /** A server with ONE event loop (every connection shares it), over {@link #state}. */
    private void startOneLoop(Optional<SnapshotSource> snapshots) {
        HubConfig config = testHub().build();
        state = new Blocking(config);
        Hub hub = new Hub(config, changeLog, feed, meters, Clock.systemUTC(), snapshots, CaptureHealth.COMPLETE,
                Optional.of(state));
        server = new SyncServer(testHttp().ioThreads(1).build(), hub,
                new Authenticator(AuthConfig.withSecret(SECRET), Clock.systemUTC()), meters);
        hub.start();
        track(hub);
        server.start();
    }

    @Test
    @DisplayName("while a sync_verify waits for the rate limit, another client on the same event loop (and the"
            + " asking one) keep receiving batches; the answer comes when the state answers")
    void verifyWaitingForTheStateStallsNoOneElse() throws InterruptedException {
        startOneLoop(Optional.empty());
        WsTestClient asking = hello("c1", Lsn.ZERO);
        WsTestClient other = hello("c2", Lsn.ZERO);
        capture.commit("orders", "a", 1);
        Changes first = asking.next(Changes.class, WAIT);
        ack(asking, "c1", first);
        ack(other, "c2", other.next(Changes.class, WAIT));

        state.block();
        asking.send(new SyncVerify("c1", first.lsn(), null));
        assertThat(state.awaitBlocked()).as("the verify asks the state").isTrue();

        capture.commit("orders", "b", 1);
        Changes second = other.next(Changes.class, WAIT);
        assertThat(second.prevLsn()).isEqualTo(first.lsn());
        ack(other, "c2", second);
        capture.commit("orders", "c", 1);
        assertThat(other.next(Changes.class, WAIT).prevLsn()).isEqualTo(second.lsn());
        List<Changes> askingGot = asking.nextChanges(2, WAIT);
        assertThat(askingGot).extracting(Changes::prevLsn).containsExactly(first.lsn(), second.lsn());
        assertThat(asking.queued()).as("no answer before the state gives one").isZero();

        state.open();
        SyncVerifyResult answer = asking.next(SyncVerifyResult.class, WAIT);
        assertThat(answer.status()).as("batches after its position are on this connection")
                .isEqualTo(VerifyStatus.CHANGES_FOLLOW);
        assertThat(answer.lsn()).isEqualTo(first.lsn());
    }

    @Test
    @DisplayName("a second sync_verify while the first waits for the state is refused at once (rate_limited) and"
            + " not counted in the state again")
    void secondVerifyWhileWaitingIsRefused() throws InterruptedException {
        startOneLoop(Optional.empty());
        WsTestClient client = hello("c1", Lsn.ZERO);
        capture.commit("orders", "a", 1);
        Changes first = client.next(Changes.class, WAIT);
        ack(client, "c1", first);

        state.block();
        int before = state.asked.get();
        client.send(new SyncVerify("c1", first.lsn(), null));
        assertThat(state.awaitBlocked()).isTrue();
        client.send(new SyncVerify("c1", first.lsn(), null));
        ErrorMessage refused = client.next(ErrorMessage.class, WAIT);
        assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(refused.message()).startsWith("too many sync_verify requests: at most one per");
        assertThat(counter("tidemark.hub.verify.rate.limited")).isEqualTo(1.0);

        state.open();
        assertThat(client.next(SyncVerifyResult.class, WAIT).status()).isEqualTo(VerifyStatus.UP_TO_DATE);
        assertThat(state.asked.get() - before).as("the state was asked about the first request only").isEqualTo(1);
    }

    @Test
    @DisplayName("while a resync snapshot waits for the pacer, another client on the same event loop keeps"
            + " receiving batches; the snapshot follows when the pacer admits it")
    void resyncWaitingForThePacerStallsNoOneElse() throws InterruptedException {
        List<Change> rows = List.of(Change.update("orders", "row-1", "{\"id\":1}", Instant.EPOCH));
        startOneLoop(Optional.of(snapshotOf(rows)));
        WsTestClient other = hello("c2", Lsn.ZERO);
        capture.commit("orders", "old", 2);
        Changes otherFirst = other.next(Changes.class, WAIT);
        ack(other, "c2", otherFirst);
        changeLog.trim(capture.position());

        state.block();
        WsTestClient resyncing = connect("c1");
        resyncing.send(new Hello("c1", Lsn.ZERO, null, Message.PROTOCOL_VERSION,
                List.of(Hello.CAPABILITY_ACK, Hello.CAPABILITY_VERIFY, Hello.CAPABILITY_RESYNC), List.of()));
        assertThat(resyncing.next(Welcome.class, WAIT).historyId()).isEqualTo(historyId);
        assertThat(state.awaitBlocked()).as("the resync asks the pacer").isTrue();

        capture.commit("orders", "new", 1);
        assertThat(other.next(Changes.class, WAIT).prevLsn()).isEqualTo(otherFirst.lsn());
        assertThat(resyncing.queued()).as("nothing before the pacer answers").isZero();

        state.open();
        SyncVerifyResult announced = resyncing.next(SyncVerifyResult.class, WAIT);
        assertThat(announced.status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
        assertThat(announced.snapshotLsn()).isEqualTo(capture.position());
        Changes snapshot = resyncing.next(Changes.class, WAIT);
        assertThat(snapshot.prevLsn()).isEqualTo(Lsn.ZERO);
        assertThat(snapshot.lsn()).isEqualTo(capture.position());
    }

    @Test
    @DisplayName("while a source_verify waits for the rate limit, its stream and another client's go on, a second"
            + " source_verify is refused as running; the refusal comes when the state answers")
    void sourceVerifyWaitingForTheStateStallsNoOneElse() throws InterruptedException {
        startOneLoop(Optional.of(snapshotOf(List.of())));
        WsTestClient asking = hello("c1", Lsn.ZERO);
        WsTestClient other = hello("c2", Lsn.ZERO);
        capture.commit("orders", "a", 1);
        Changes first = asking.next(Changes.class, WAIT);
        ack(asking, "c1", first);
        ack(other, "c2", other.next(Changes.class, WAIT));

        state.block();
        state.refusing = true;
        int before = state.asked.get();
        asking.send(new SourceVerify("c1", List.of()));
        assertThat(state.awaitBlocked()).as("the verify asks the state").isTrue();
        asking.send(new SourceVerify("c1", List.of()));
        SourceVerifyResult running = asking.next(SourceVerifyResult.class, WAIT);
        assertThat(running.status()).isEqualTo(SourceVerifyStatus.FAILED);
        assertThat(running.message()).contains("is already running");

        capture.commit("orders", "b", 1);
        assertThat(other.next(Changes.class, WAIT).prevLsn()).isEqualTo(first.lsn());
        assertThat(asking.next(Changes.class, WAIT).prevLsn()).as("not held before it is admitted")
                .isEqualTo(first.lsn());

        state.open();
        SourceVerifyResult refused = asking.next(SourceVerifyResult.class, WAIT);
        assertThat(refused.status()).isEqualTo(SourceVerifyStatus.FAILED);
        assertThat(refused.message()).startsWith("too many source_verify requests: at most one per")
                .endsWith("retry in 700 ms");
        assertThat(state.asked.get() - before).as("the state was asked about the first request only").isEqualTo(1);
        Lsn next = capture.commit("orders", "c", 1);
        assertThat(asking.next(Changes.class, WAIT).lsn()).as("the stream goes on").isEqualTo(next);
    }

    /** A snapshot source over fixed rows, at the capture position it is opened at. */
    private SnapshotSource snapshotOf(List<Change> rows) {
        return entityTypes -> {
            Lsn position = capture.position();
            List<Change> pending = new ArrayList<>();
            pending.add(Change.truncate("orders", Instant.EPOCH));
            rows.stream().filter(row -> entityTypes.test(row.entityType())).forEach(pending::add);
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
                    List<Change> chunk = new ArrayList<>(pending.subList(0, Math.min(max, pending.size())));
                    pending.subList(0, chunk.size()).clear();
                    return chunk;
                }

                @Override
                public void close() {}
            };
        };
    }
}
