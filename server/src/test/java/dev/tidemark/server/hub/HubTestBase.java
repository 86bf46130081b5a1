package dev.tidemark.server.hub;

import dev.tidemark.server.feed.SnapshotSource;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServer;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.testing.ChangeLogFactory;
import dev.tidemark.server.hub.testing.TestCapture;
import dev.tidemark.server.hub.testing.WsTestClient;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A sync server over a change log from {@link ChangeLogFactory} (in memory unless told otherwise), a test
 * capture feeding it, and real WebSocket clients over loopback.
 */
public abstract class HubTestBase {

    protected static final Duration WAIT = Duration.ofSeconds(10);
    protected static final String SECRET = "tidemark-test-secret-0123456789abcdef";

    protected ChangeLog changeLog;
    protected ChangeFeed feed;
    protected TestCapture capture;
    protected PrometheusMeterRegistry meters;
    protected TokenSigner signer;
    protected String historyId;
    protected SyncServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startLog() {
        changeLog = ChangeLogFactory.open();
        historyId = "test-" + UUID.randomUUID();
        changeLog.startHistory(historyId, Lsn.ZERO);
        feed = new ChangeFeed();
        capture = new TestCapture(changeLog, feed);
        meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        signer = new TokenSigner(SECRET, Clock.systemUTC());
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        if (server != null) {
            server.close();
        }
        changeLog.close();
    }

    /** Where resync snapshots come from; null (the default) for a hub that takes none. Set before starting. */
    protected SnapshotSource snapshots;

    /** Settings that keep tests quick; tests adjust them. */
    protected static HubConfig.Builder testHub() {
        return HubConfig.builder().progressFlushInterval(Duration.ofMillis(100))
                .historyCheckInterval(Duration.ofMillis(200)).resendBackoff(Duration.ofMillis(20))
                .resendBackoffMax(Duration.ofMillis(200));
    }

    protected static HttpConfig.Builder testHttp() {
        return HttpConfig.builder().bindAddress("127.0.0.1").port(0);
    }

    protected void startServer() {
        startServer(hub -> hub, http -> http, AuthConfig.withSecret(SECRET));
    }

    protected void startServer(UnaryOperator<HubConfig.Builder> hub) {
        startServer(hub, http -> http, AuthConfig.withSecret(SECRET));
    }

    protected void startServer(UnaryOperator<HubConfig.Builder> hub, UnaryOperator<HttpConfig.Builder> http,
                               AuthConfig auth) {
        SyncServerConfig config = new SyncServerConfig(http.apply(testHttp()).build(), hub.apply(testHub()).build(), auth);
        server = SyncServer.create(config, changeLog, feed, meters, java.util.Optional.ofNullable(snapshots)).start();
    }

    protected URI uri(String query) {
        return URI.create("ws://127.0.0.1:" + server.port() + "/sync" + (query == null ? "" : "?" + query));
    }

    protected String token(String clientId, String... entityTypes) {
        Set<String> types = entityTypes.length == 0 ? Set.of("*") : Set.copyOf(Arrays.asList(entityTypes));
        return signer.mint(clientId, types, Duration.ofHours(1));
    }

    protected static HttpHeaders bearer(String token) {
        return new DefaultHttpHeaders().set("Authorization", "Bearer " + token);
    }

    /** A connected, upgraded client with a token for {@code clientId} (no hello yet). */
    protected WsTestClient connect(String clientId) {
        return track(WsTestClient.connect(uri(null), bearer(token(clientId))));
    }

    protected WsTestClient track(WsTestClient client) {
        closeables.add(client);
        return client;
    }

    protected void track(AutoCloseable closeable) {
        closeables.add(closeable);
    }

    /** Connects, says hello as a v1 client with acks from {@code lastLsn}, and checks the welcome. */
    protected WsTestClient hello(String clientId, Lsn lastLsn, String... subscriptions) {
        WsTestClient client = connect(clientId);
        client.send(new Hello(clientId, lastLsn, lastLsn.equals(Lsn.ZERO) ? null : historyId,
                Message.PROTOCOL_VERSION, List.of(Hello.CAPABILITY_ACK, Hello.CAPABILITY_VERIFY),
                List.of(subscriptions)));
        Welcome welcome = client.next(Welcome.class, WAIT);
        assertThat(welcome.historyId()).isEqualTo(historyId);
        return client;
    }

    protected static void ack(WsTestClient client, String clientId, Changes batch) {
        client.send(SyncAck.success(clientId, batch.lsn(), batch.batchId()));
    }

    protected SessionStats stats(String clientId) {
        return server.hub().stats(clientId).orElseThrow(() -> new AssertionError("no session of " + clientId));
    }

    protected double counter(String name, String... tags) {
        var search = meters.find(name);
        if (tags.length > 0) {
            search = search.tags(tags);
        }
        var counter = search.counter();
        return counter == null ? 0 : counter.count();
    }

    /** The entity ids of the changes in {@code batches}, in order. */
    protected static List<String> ids(List<Changes> batches) {
        List<String> ids = new ArrayList<>();
        for (Changes batch : batches) {
            batch.data().forEach(change -> ids.add(change.entityId()));
        }
        return ids;
    }

    /** Asserts each batch starts where the previous ended, the first at {@code start}. */
    protected static void assertChained(List<Changes> batches, Lsn start) {
        Lsn position = start;
        for (Changes batch : batches) {
            assertThat(batch.prevLsn()).as("prevLsn of batch %s", batch.batchId()).isEqualTo(position);
            assertThat(batch.checksumMatches()).isTrue();
            if (batch.completesBatch()) {
                position = batch.lsn();
            }
        }
    }
}
