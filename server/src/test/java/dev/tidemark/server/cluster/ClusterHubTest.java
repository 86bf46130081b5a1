package dev.tidemark.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.recovery.RetentionPlan;
import dev.tidemark.recovery.RetentionPolicy;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.Authenticator;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.feed.CaptureHealth;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServer;
import dev.tidemark.server.hub.CloseCodes;
import dev.tidemark.server.hub.Hub;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.hub.testing.TestCapture;
import dev.tidemark.server.hub.testing.WsTestClient;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.retention.RetentionJob;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogs;
import dev.tidemark.server.spi.ClientProgress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes (each a change log, a hub with its {@link PostgresClusterState} and a sync endpoint) serving one change
 * log in one embedded PostgreSQL; node A captures (a test capture), node B follows the appends. Real WebSocket
 * clients connect to either.
 */
@DisplayName("Two hubs over one change log: supersede, verify limits and retention hold across nodes")
class ClusterHubTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final String SECRET = "cluster-hub-test-secret-0123456789abcdef";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration VERIFY_INTERVAL = Duration.ofSeconds(30);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private SourceSettings database;
    private ChangeLog logA;
    private ChangeLog logB;
    private TestCapture capture;
    private Node nodeA;
    private Node nodeB;

    private record Node(Hub hub, SyncServer server) {
        URI uri() {
            return URI.create("ws://127.0.0.1:" + server.port() + "/sync");
        }
    }

    @BeforeEach
    void start() {
        database = postgres.createDatabase();
        logA = ChangeLogs.open("postgres", database.asChangeLogConfig());
        logB = ChangeLogs.open("postgres", database.asChangeLogConfig());
        closeables.add(logA);
        closeables.add(logB);
        logA.startHistory("h1", Lsn.parse("0/10"));
        logA.leadership().orElseThrow().take("node-a", "slot_x");
        ChangeFeed feedA = new ChangeFeed();
        ChangeFeed feedB = new ChangeFeed();
        capture = new TestCapture(logA, feedA);
        nodeA = node("node-a", logA, feedA);
        nodeB = node("node-b", logB, feedB);
        ChangeLogFollower follower = new ChangeLogFollower(database, logB, feedB, () -> false, Duration.ofMillis(200));
        follower.start();
        closeables.add(0, follower);
    }

    private Node node(String name, ChangeLog log, ChangeFeed feed) {
        HubConfig config = HubConfig.builder().progressFlushInterval(Duration.ofMillis(100))
                .historyCheckInterval(Duration.ofMillis(200)).verifyInterval(VERIFY_INTERVAL).build();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PostgresClusterState state = new PostgresClusterState(database, new NodeIdentity(name), config,
                Duration.ofMillis(300));
        Hub hub = new Hub(config, log, feed, meters, Clock.systemUTC(), Optional.empty(), CaptureHealth.COMPLETE,
                Optional.of(state));
        SyncServer server = new SyncServer(HttpConfig.builder().bindAddress("127.0.0.1").port(0).build(), hub,
                new Authenticator(AuthConfig.withSecret(SECRET), Clock.systemUTC()), meters);
        hub.start();
        server.start();
        closeables.add(0, hub);
        closeables.add(0, server);
        return new Node(hub, server);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    private WsTestClient hello(Node node, String clientId, Lsn from) {
        String token = new TokenSigner(SECRET, Clock.systemUTC()).mint(clientId, Set.of("*"), Duration.ofHours(1));
        WsTestClient client = WsTestClient.connect(node.uri(), new DefaultHttpHeaders().set("Authorization",
                "Bearer " + token));
        closeables.add(0, client);
        client.send(new Hello(clientId, from, "h1", Message.PROTOCOL_VERSION,
                List.of(Hello.CAPABILITY_ACK, Hello.CAPABILITY_VERIFY), List.of()));
        assertThat(client.next(Welcome.class, WAIT).historyId()).isEqualTo("h1");
        return client;
    }

    /** Reads and acks batches until the client acked {@code upTo}. */
    private static void receiveAndAck(WsTestClient client, String clientId, Lsn upTo) {
        Lsn acked = Lsn.ZERO;
        while (acked.isBefore(upTo)) {
            Changes batch = client.next(Changes.class, WAIT);
            client.send(SyncAck.success(clientId, batch.lsn(), batch.batchId()));
            acked = batch.lsn();
        }
    }

    private void sql(String statement) throws SQLException {
        try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }

    @Test
    @DisplayName("a client connected to node A, then to node B: A's connection ends as a local supersede does,"
            + " within seconds, and B's streams")
    void newerConnectionOnAnotherNodeSupersedes() {
        Lsn start = capture.position();
        WsTestClient onA = hello(nodeA, "c1", start);
        await().atMost(WAIT).until(() -> nodeA.hub().stats("c1").isPresent());

        WsTestClient onB = hello(nodeB, "c1", start);
        long connected = System.nanoTime();
        assertThat(onA.next(ErrorMessage.class, WAIT).message()).contains("another connection of client 'c1' took over");
        assertThat(onA.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.NORMAL);
        assertThat(Duration.ofNanos(System.nanoTime() - connected)).isLessThan(Duration.ofSeconds(5));
        assertThat(nodeA.hub().stats("c1")).isEmpty();

        Lsn committed = capture.commit("orders", "o", 2);
        Changes batch = onB.next(Changes.class, WAIT);
        assertThat(batch.lsn()).isEqualTo(committed);
        assertThat(onB.isOpen()).isTrue();
    }

    @Test
    @DisplayName("a claim missed by the notification is found by the periodic re-check")
    void recheckIsTheSafetyNet() throws SQLException {
        WsTestClient onA = hello(nodeA, "c2", capture.position());
        await().atMost(WAIT).until(() -> nodeA.hub().stats("c2").isPresent());
        await().atMost(WAIT).until(() -> claimOf("c2") > 0);
        // Another node's newer claim, written without its notification.
        sql("UPDATE tidemark.client_session SET claim = nextval('tidemark.client_session_claim'), node = 'elsewhere'"
                + " WHERE client_id = 'c2'");
        assertThat(onA.next(ErrorMessage.class, WAIT).message()).contains("took over");
        assertThat(onA.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.NORMAL);
    }

    private long claimOf(String clientId) throws SQLException {
        try (Connection connection = database.connect(); Statement sql = connection.createStatement();
             var rows = sql.executeQuery("SELECT claim FROM tidemark.client_session WHERE client_id = '" + clientId
                     + "'")) {
            return rows.next() ? rows.getLong(1) : 0;
        }
    }

    @Test
    @DisplayName("the sync_verify limit holds across nodes: a second verify on node B right after one on node A is"
            + " refused")
    void verifyLimitIsClusterWide() {
        Lsn start = capture.position();
        WsTestClient onA = hello(nodeA, "c3", start);
        onA.send(new SyncVerify("c3", start, null));
        assertThat(onA.next(SyncVerifyResult.class, WAIT).lsn()).isEqualTo(start);

        WsTestClient onB = hello(nodeB, "c3", start);
        onB.send(new SyncVerify("c3", start, null));
        ErrorMessage refused = onB.next(ErrorMessage.class, WAIT);
        assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(refused.message()).contains("sync_verify");

        // Another client is not limited by c3's verify.
        WsTestClient other = hello(nodeB, "c4", start);
        other.send(new SyncVerify("c4", start, null));
        assertThat(other.next(SyncVerifyResult.class, WAIT).lsn()).isEqualTo(start);
    }

    @Test
    @DisplayName("client progress never moves back: the superseded node's late write of an older position"
            + " changes nothing")
    void progressDoesNotGoBack() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Lsn older = Lsn.parse("0/100");
        Lsn newer = Lsn.parse("0/200");
        logB.saveProgress(List.of(new ClientProgress("c5", newer, now, null, true, now)));
        logA.saveProgress(List.of(new ClientProgress("c5", older, now.minusSeconds(1), null, false, now)));
        assertThat(logA.progress()).containsExactly(new ClientProgress("c5", newer, now, null, true, now));

        Lsn newest = Lsn.parse("0/300");
        logA.saveProgress(List.of(new ClientProgress("c5", newest, now, null, true, now)));
        assertThat(logB.progress()).extracting(ClientProgress::ackedLsn).containsExactly(newest);
    }

    @Test
    @DisplayName("the superseded session's last ack, arriving after the new session's progress, leaves the newer"
            + " position in client_progress")
    void lateAckOfSupersededSessionIsIgnored() {
        WsTestClient onA = hello(nodeA, "c6", capture.position());
        Lsn first = capture.commit("orders", "a", 1);
        Changes batchOnA = onA.next(Changes.class, WAIT);
        assertThat(batchOnA.lsn()).isEqualTo(first);
        Lsn second = capture.commit("orders", "b", 1);

        // The client applied both transactions, lost its connection to A before acking and reconnected to B.
        WsTestClient onB = hello(nodeB, "c6", second);
        await().atMost(WAIT).until(() -> progressOf("c6").map(second::equals).orElse(false));
        // The old connection's ack of the older batch arrives on node A only now, if A has not closed it yet.
        try {
            onA.send(SyncAck.success("c6", batchOnA.lsn(), batchOnA.batchId()));
        } catch (Exception closedAlready) { // the channel is closed (Netty rethrows its IOException unchecked)
            assertThat(onA.isOpen()).isFalse();
        }
        assertThat(onA.closeCode()).succeedsWithin(WAIT);
        nodeA.hub().flushProgress();
        assertThat(progressOf("c6")).contains(second);
        assertThat(onB.isOpen()).isTrue();
    }

    private Optional<Lsn> progressOf(String clientId) {
        return logA.progress().stream().filter(row -> row.clientId().equals(clientId)).map(ClientProgress::ackedLsn)
                .findFirst();
    }

    @Test
    @DisplayName("retention trims only to the slowest client of all nodes")
    void retentionHonoursClientsOfEveryNode() {
        Lsn start = capture.position();
        WsTestClient slowOnB = hello(nodeB, "slow", start);
        WsTestClient fastOnA = hello(nodeA, "fast", start);
        Lsn first = capture.commit("orders", "a", 1);
        receiveAndAck(slowOnB, "slow", first);
        Lsn second = capture.commit("orders", "b", 1);
        Lsn third = capture.commit("orders", "c", 1);
        receiveAndAck(fastOnA, "fast", third);
        await().atMost(WAIT).until(() -> progressOf("slow").map(first::equals).orElse(false)
                && progressOf("fast").map(third::equals).orElse(false));

        RetentionJob retention = new RetentionJob(logA, new RetentionPolicy(Duration.ofDays(1), Duration.ofDays(1),
                1_000_000, 0.2), Duration.ofHours(1), new SimpleMeterRegistry(), Clock.systemUTC());
        RetentionPlan plan = retention.runOnce().orElseThrow();
        assertThat(plan.trimThrough()).contains(first);
        assertThat(plan.heldBackBy()).contains("slow");
        assertThat(logB.state().orElseThrow().retainedFrom()).isEqualTo(first);
        assertThat(second).isNotEqualTo(first);

        // The slow client on node B still gets everything after its position.
        List<String> ids = new ArrayList<>();
        while (ids.size() < 2) {
            Changes batch = slowOnB.next(Changes.class, WAIT);
            batch.data().forEach(change -> ids.add(change.entityId()));
        }
        assertThat(ids).containsExactly("b0", "c0");
    }
}
