package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServer;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.feed.SnapshotSource;
import dev.tidemark.server.hub.testing.WsTestClient;
import dev.tidemark.server.pg.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.URI;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Per-table snapshots from a real PostgreSQL through the hub")
class TableSnapshotSourceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SECRET = "tidemark-test-secret-0123456789abcdef";

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private CaptureFixture fixture;
    private SyncServer server;

    @BeforeEach
    void open() {
        fixture = new CaptureFixture(postgres.createDatabase());
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        fixture.close();
    }

    @Test
    @DisplayName("issue 11, reproduction 1: 300 rows before capture, one insert after: a new client holds all 301 rows,"
            + " and its checksum verifies against the log")
    void rowsBeforeCaptureReachANewClient() throws SQLException {
        fixture.sql("CREATE TABLE items (id int PRIMARY KEY, v text)",
                "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 300) g");
        CaptureSettings settings = fixture.settings("items").build();
        fixture.start(settings);
        Lsn started = fixture.sync();
        // What capture records when a history starts: the table's history is complete only from here.
        fixture.sql("INSERT INTO tidemark.table_refresh (lsn, entity_type, reason) VALUES ('" + started
                + "', 'items', 'history start') ON CONFLICT DO NOTHING");
        fixture.sql("INSERT INTO items VALUES (301, 'new')");
        Lsn inserted = fixture.sync();
        assertThat(fixture.changes("items")).as("the log alone holds one row").hasSize(1);

        SnapshotSource snapshots = new SourceSnapshots(fixture.source, settings.publicationName(), fixture.log);
        server = SyncServer.create(new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(0).build(),
                HubConfig.builder().batchMaxChanges(100).verifyInterval(Duration.ZERO).build(),
                AuthConfig.withSecret(SECRET)), fixture.log, fixture.feed, new SimpleMeterRegistry(),
                Optional.of(snapshots)).start();
        String token = new TokenSigner(SECRET, Clock.systemUTC()).mint("c1", Set.of("*"), Duration.ofHours(1));
        try (WsTestClient client = WsTestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/sync"),
                new DefaultHttpHeaders().set("Authorization", "Bearer " + token))) {
            client.send(new Hello("c1", Lsn.ZERO, null, Message.PROTOCOL_VERSION,
                    List.of(Hello.CAPABILITY_ACK, Hello.CAPABILITY_VERIFY), List.of()));
            client.next(Welcome.class, WAIT);
            List<Changes> parts = new ArrayList<>();
            do {
                parts.add(client.next(Changes.class, WAIT));
            } while (!parts.get(parts.size() - 1).completesBatch());

            Changes last = parts.get(parts.size() - 1);
            assertThat(parts).hasSizeGreaterThan(1).allSatisfy(part -> {
                assertThat(part.prevLsn()).isEqualTo(Lsn.ZERO);
                assertThat(part.lsn()).isEqualTo(last.lsn());
                assertThat(part.snapshot().entityTypes()).containsExactly("items");
            });
            assertThat(last.lsn()).isGreaterThanOrEqualTo(inserted);
            assertThat(last.snapshot().rowsSent()).isEqualTo(301);
            Map<String, String> store = new HashMap<>();
            long applied = 0;
            for (Changes part : parts) {
                for (Change change : part.data()) {
                    applied += Checksum.of(change);
                    if (change.type() == ChangeType.TRUNCATE) {
                        store.clear();
                    } else {
                        store.put(change.entityId(), change.data());
                    }
                }
            }
            assertThat(store).hasSize(301).containsKeys("1", "150", "300", "301");

            client.send(SyncAck.success("c1", last.lsn(), last.batchId()));
            long offset = parts.get(0).snapshot().logChecksum() - applied;
            client.send(new SyncVerify("c1", last.lsn(), applied + offset));
            Message answer = client.next(WAIT);
            while (answer instanceof Changes heartbeat) {
                assertThat(heartbeat.data()).as("position-only batches of heartbeats").isEmpty();
                answer = client.next(WAIT);
            }
            // The checksum is compared (the client receives every type): a mismatch would be resync_required.
            assertThat(answer).isInstanceOfSatisfying(SyncVerifyResult.class, result -> assertThat(result.status())
                    .isIn(VerifyStatus.UP_TO_DATE, VerifyStatus.CHANGES_FOLLOW));
            client.send(new SyncVerify("c1", last.lsn(), applied + offset + 1));
            answer = client.next(WAIT);
            while (answer instanceof Changes) {
                answer = client.next(WAIT);
            }
            assertThat(answer).as("a checksum one off").isInstanceOfSatisfying(SyncVerifyResult.class,
                    result -> assertThat(result.status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED));
        }
    }
}
