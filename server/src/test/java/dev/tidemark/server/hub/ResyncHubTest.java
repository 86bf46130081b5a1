package dev.tidemark.server.hub;

import dev.tidemark.server.feed.SnapshotSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.server.hub.testing.TestCapture;
import dev.tidemark.server.hub.testing.WsTestClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The hub resyncs clients it cannot continue")
class ResyncHubTest extends HubTestBase {

    private final AtomicInteger opened = new AtomicInteger();

    /** A snapshot source over fixed rows, at the capture position it is opened at. */
    private void snapshotOf(List<Change> rows) {
        snapshots = entityTypes -> {
            opened.incrementAndGet();
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

    private WsTestClient resyncHello(String clientId, Lsn lastLsn, String history) {
        WsTestClient client = connect(clientId);
        client.send(new Hello(clientId, lastLsn, history, Message.PROTOCOL_VERSION,
                List.of(Hello.CAPABILITY_ACK, Hello.CAPABILITY_VERIFY, Hello.CAPABILITY_RESYNC), List.of()));
        assertThat(client.next(Welcome.class, WAIT).historyId()).isEqualTo(historyId);
        return client;
    }

    @Test
    @DisplayName("a client behind the retained history gets a snapshot as one multi-part batch from 0/0, then the tail")
    void snapshotThenTail() {
        List<Change> rows = TestCapture.updates("orders", "row", 7);
        snapshotOf(rows);
        startServer(hub -> hub.batchMaxChanges(3));
        capture.commit("orders", "old", 2);
        Lsn trimmed = capture.position();
        changeLog.trim(trimmed);
        capture.commit("orders", "kept", 1);

        WsTestClient client = resyncHello("c1", Lsn.ZERO, null);
        SyncVerifyResult announced = client.next(SyncVerifyResult.class, WAIT);
        Lsn position = capture.position();
        assertThat(announced.status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
        assertThat(announced.snapshotLsn()).isEqualTo(position);
        assertThat(announced.snapshotChecksum()).isEqualTo(changeLog.checksumThrough(position).getAsLong());
        List<Changes> parts = client.nextChanges(3, WAIT);
        assertThat(parts).allSatisfy(part -> {
            assertThat(part.prevLsn()).isEqualTo(Lsn.ZERO);
            assertThat(part.lsn()).isEqualTo(position);
            assertThat(part.batchId()).isEqualTo(parts.get(0).batchId());
        });
        assertThat(parts).extracting(Changes::part).containsExactly(1, 2, 3);
        assertThat(parts).extracting(Changes::last).containsExactly(false, false, true);
        // Progress for the client: rows loaded so far (the truncate is not a row), of the snapshot's types.
        assertThat(parts).extracting(part -> part.snapshot().rowsSent()).containsExactly(2L, 5L, 7L);
        assertThat(parts).allSatisfy(part -> assertThat(part.snapshot().entityTypes()).containsExactly("orders"));
        List<Change> data = parts.stream().flatMap(part -> part.data().stream()).toList();
        assertThat(data.get(0).type()).isEqualTo(ChangeType.TRUNCATE);
        assertThat(data.subList(1, data.size())).isEqualTo(rows);

        client.send(SyncAck.success("c1", position, parts.get(2).batchId()));
        capture.commit("orders", "new", 1);
        Changes tail = client.next(Changes.class, WAIT);
        assertThat(tail.prevLsn()).isEqualTo(position);
        assertThat(tail.lsn()).isEqualTo(capture.position());
    }

    @Test
    @DisplayName("a client that receives some entity types is told the log's checksum of just those types at the"
            + " snapshot's position, so it stays checksum-verified after a resync")
    void subscribedResyncCarriesItsTypesChecksum() {
        snapshotOf(TestCapture.updates("orders", "row", 3));
        startServer(hub -> hub.batchMaxChanges(3));
        capture.commit("orders", "old", 2);
        capture.commit("customers", "c", 2);
        changeLog.trim(capture.position());
        capture.commit("orders", "kept", 1);
        capture.commit("customers", "d", 1);

        WsTestClient client = connect("c1");
        client.send(new Hello("c1", Lsn.ZERO, null, Message.PROTOCOL_VERSION,
                List.of(Hello.CAPABILITY_ACK, Hello.CAPABILITY_VERIFY, Hello.CAPABILITY_RESYNC), List.of("orders")));
        assertThat(client.next(Welcome.class, WAIT).historyId()).isEqualTo(historyId);
        SyncVerifyResult announced = client.next(SyncVerifyResult.class, WAIT);
        Lsn position = announced.snapshotLsn();
        assertThat(announced.snapshotChecksum())
                .isEqualTo(changeLog.checksumThrough(position, java.util.Set.of("orders")).getAsLong())
                .isNotEqualTo(changeLog.checksumThrough(position).getAsLong());
    }

    @Test
    @DisplayName("many clients told to resync at once are admitted at the configured rate; the others are told when to come back")
    void pacedAdmission() {
        snapshotOf(List.of());
        startServer(hub -> hub.resyncRatePerSecond(0.2).resyncBurst(1).resyncJitter(0));
        capture.commit("orders", "a", 1);
        changeLog.trim(capture.position());

        WsTestClient first = resyncHello("c1", Lsn.ZERO, null);
        assertThat(first.next(SyncVerifyResult.class, WAIT).snapshotLsn()).isEqualTo(capture.position());
        WsTestClient second = resyncHello("c2", Lsn.ZERO, null);
        WsTestClient third = resyncHello("c3", Lsn.of(5), "another-history");
        SyncVerifyResult wait2 = second.next(SyncVerifyResult.class, WAIT);
        SyncVerifyResult wait3 = third.next(SyncVerifyResult.class, WAIT);

        assertThat(wait2.status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
        assertThat(wait2.snapshotLsn()).isNull();
        // One resync every 5 s: the second client is next in line, the third after it.
        assertThat(wait2.retryAfterMs()).isBetween(4_000L, 5_000L);
        assertThat(wait3.retryAfterMs()).isBetween(9_000L, 10_000L);
        await().atMost(WAIT).until(() -> !second.isOpen() && !third.isOpen());
        assertThat(opened).hasValue(1);
    }

    @Test
    @DisplayName("a checksum that differs from the log's on sync_verify leads to a snapshot; a matching one does not")
    void checksumMismatch() {
        snapshotOf(List.of());
        startServer(hub -> hub.verifyInterval(java.time.Duration.ZERO));
        WsTestClient client = resyncHello("c1", Lsn.ZERO, null);
        capture.commit("orders", "a", 2);
        Changes batch = client.next(Changes.class, WAIT);
        client.send(SyncAck.success("c1", batch.lsn(), batch.batchId()));
        long right = changeLog.checksumThrough(batch.lsn()).getAsLong();

        client.send(new SyncVerify("c1", batch.lsn(), right));
        assertThat(client.next(SyncVerifyResult.class, WAIT).status()).isEqualTo(VerifyStatus.UP_TO_DATE);
        client.send(new SyncVerify("c1", batch.lsn(), right + batch.checksum()));
        SyncVerifyResult result = client.next(SyncVerifyResult.class, WAIT);
        assertThat(result.status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
        assertThat(result.snapshotLsn()).isEqualTo(batch.lsn());
        Changes snapshot = client.next(Changes.class, WAIT);
        assertThat(snapshot.prevLsn()).isEqualTo(Lsn.ZERO);
        assertThat(snapshot.lsn()).isEqualTo(batch.lsn());
    }

    @Test
    @DisplayName("a client without the resync capability is only told resync_required, as before")
    void withoutCapability() {
        snapshotOf(List.of());
        startServer();
        capture.commit("orders", "a", 1);
        changeLog.trim(capture.position());
        WsTestClient client = hello("c1", Lsn.ZERO);
        SyncVerifyResult result = client.next(SyncVerifyResult.class, WAIT);
        assertThat(result.status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
        assertThat(result.snapshotLsn()).isNull();
        assertThat(result.retryAfterMs()).isNull();
        assertThat(opened).hasValue(0);
    }
}
