package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.server.hub.testing.TestCapture;
import dev.tidemark.server.hub.testing.WsTestClient;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.ChangeLogProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A client behind the live head gets several whole source transactions per batch (PostgreSQL change log)")
class CoalescingHubTest extends HubTestBase {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    /** Runs after the base's set-up: the same fixtures over a real PostgreSQL change log. */
    @BeforeEach
    void overPostgres() {
        changeLog.close();
        ChangeLogProvider provider = ServiceLoader.load(ChangeLogProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("postgres")).findFirst().orElseThrow();
        changeLog = provider.open(postgres.createDatabase().asChangeLogConfig());
        changeLog.startHistory(historyId, Lsn.ZERO);
        capture = new TestCapture(changeLog, feed);
    }

    /** Transaction {@code t} has {@code t % 3 + 1} updates of {@code type}, ids {@code type:t-i}. */
    private Lsn commit(String type, int t) {
        return capture.commit(type, type + ":" + t + "-", t % 3 + 1);
    }

    /** Holds {@code clientId} behind: its first batch stays unacked with a window of one. */
    private Changes holdBehind(WsTestClient client) {
        capture.commit("orders", "first-", 1);
        Changes first = client.next(Changes.class, WAIT);
        await().atMost(WAIT).until(() -> stats("held").unackedBatches() == 1);
        return first;
    }

    /** The batch index of each change id. */
    private static Map<String, Integer> batchOf(List<Changes> batches) {
        Map<String, Integer> at = new HashMap<>();
        for (int b = 0; b < batches.size(); b++) {
            for (Change change : batches.get(b).data()) {
                at.put(change.entityId(), b);
            }
        }
        return at;
    }

    @Test
    @DisplayName("released, a held client gets every change once, in order, in fewer batches than transactions,"
            + " each transaction whole in one batch, within the batch bound; acks and checksums verify")
    void heldClientGetsCoalescedBatches() {
        startServer(hub -> hub.window(1).batchMaxChanges(10).verifyInterval(Duration.ZERO));
        WsTestClient client = hello("held", Lsn.ZERO);
        Changes first = holdBehind(client);

        int transactions = 60;
        List<String> expected = new ArrayList<>();
        for (int t = 0; t < transactions; t++) {
            commit("orders", t);
            for (int i = 0; i < t % 3 + 1; i++) {
                expected.add("orders:" + t + "-" + i);
            }
        }
        Lsn end = capture.position();
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> client.queued() == 0);

        ack(client, "held", first);
        List<Changes> batches = HubStreamingTest.receiveThrough(client, "held", end, true);

        assertThat(ids(batches)).isEqualTo(expected);
        assertChained(batches, first.lsn());
        assertThat(batches).allSatisfy(batch -> {
            assertThat(batch.isPart()).isFalse();
            assertThat(batch.data()).hasSizeLessThanOrEqualTo(10);
        });
        // 120 changes in batches of at most 10 whole transactions (1 to 3 changes each): 12 to 24 batches, not 60.
        assertThat(batches).hasSizeLessThan(transactions / 2);
        Map<String, Integer> at = batchOf(batches);
        for (int t = 0; t < transactions; t++) {
            assertThat(at.get("orders:" + t + "-0")).as("transaction %d in one batch", t)
                    .isEqualTo(at.get("orders:" + t + "-" + (t % 3)));
        }
        assertThat(batches.get(batches.size() - 1).lsn()).isEqualTo(end);
        assertThat(counter("tidemark.hub.batches.coalesced")).isGreaterThan(0);

        await().atMost(WAIT).until(() -> stats("held").acked().equals(end));
        List<Change> all = new ArrayList<>(first.data());
        batches.forEach(batch -> all.addAll(batch.data()));
        long checksum = Checksum.of(all);
        assertThat(checksum).isEqualTo(changeLog.checksumThrough(end).orElseThrow());
        client.send(new SyncVerify("held", end, checksum));
        assertThat(client.next(SyncVerifyResult.class, WAIT).status()).isEqualTo(VerifyStatus.UP_TO_DATE);
    }

    @Test
    @DisplayName("a client at the head gets each transaction as its own batch at once, sharing one encoding")
    void clientAtTheHeadGetsEachTransaction() {
        startServer(hub -> hub.window(1));
        WsTestClient one = hello("one", Lsn.ZERO);
        WsTestClient two = hello("two", Lsn.ZERO);
        for (int t = 0; t < 5; t++) {
            Lsn lsn = commit("orders", t);
            for (WsTestClient client : List.of(one, two)) {
                Changes batch = client.next(Changes.class, WAIT);
                assertThat(batch.lsn()).isEqualTo(lsn);
                assertThat(batch.data()).hasSize(t % 3 + 1);
                ack(client, client == one ? "one" : "two", batch);
            }
            await().atMost(WAIT).until(() -> stats("one").acked().equals(lsn) && stats("two").acked().equals(lsn));
        }
        assertThat(counter("tidemark.hub.live.encodings", "result", "shared")).isEqualTo(5);
        assertThat(counter("tidemark.hub.batches.coalesced")).isZero();
    }

    @Test
    @DisplayName("transactions a filter drops still move a held client's position; what it receives comes coalesced")
    void filteredRangesAdvanceThePosition() {
        startServer(hub -> hub.window(1));
        WsTestClient client = hello("held", Lsn.ZERO, "orders");
        Changes first = holdBehind(client);
        List<String> expected = new ArrayList<>();
        for (int t = 0; t < 20; t++) {
            String type = t % 2 == 0 ? "orders" : "customers";
            commit(type, t);
            if (type.equals("orders")) {
                for (int i = 0; i < t % 3 + 1; i++) {
                    expected.add("orders:" + t + "-" + i);
                }
            }
        }
        Lsn end = commit("customers", 99);

        ack(client, "held", first);
        List<Changes> batches = HubStreamingTest.receiveThrough(client, "held", end, true);
        assertThat(ids(batches)).isEqualTo(expected);
        // One batch, or two when the stream limit (the refresh markers known) lagged the tip: not 10.
        assertThat(batches).hasSizeLessThanOrEqualTo(2);
        assertThat(batches.get(batches.size() - 1).lsn()).isEqualTo(end);
        assertChained(batches, first.lsn());
        await().atMost(WAIT).until(() -> stats("held").acked().equals(end));
    }

    @Test
    @DisplayName("a refresh marker inside what a held client missed is honoured: no coalesced batch passes it, the"
            + " table's snapshot comes with the log's other changes up to its cut")
    void refreshMarkerInsideTheSpan() {
        List<Change> rows = TestCapture.updates("orders", "row", 3);
        snapshots = entityTypes -> {
            Lsn position = capture.position();
            List<Change> pending = new ArrayList<>();
            if (entityTypes.test("orders")) {
                pending.add(Change.truncate("orders", java.time.Instant.EPOCH));
                pending.addAll(rows);
            }
            return new dev.tidemark.server.feed.SnapshotSource.Snapshot() {
                @Override
                public Lsn position() {
                    return position;
                }

                @Override
                public List<String> entityTypes() {
                    return pending.isEmpty() ? List.of() : List.of("orders");
                }

                @Override
                public java.util.OptionalLong estimatedRows() {
                    return java.util.OptionalLong.of(rows.size());
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
        startServer(hub -> hub.window(1).verifyInterval(Duration.ZERO));
        WsTestClient client = hello("held", Lsn.ZERO);
        Changes first = holdBehind(client);
        for (int t = 0; t < 5; t++) {
            commit("customers", t);
        }
        Lsn marker = capture.refresh("orders");
        for (int t = 5; t < 10; t++) {
            commit("customers", t);
        }
        Lsn end = capture.position();

        ack(client, "held", first);
        List<Changes> received = HubStreamingTest.receiveThrough(client, "held", end, true);
        assertChained(received, first.lsn());
        // Batches up to the marker may come first (the stream goes only as far as the markers are known).
        assertThat(received).as("the table's snapshot").anyMatch(batch -> batch.snapshot() != null);
        assertThat(received).allSatisfy(batch -> assertThat(batch.snapshot() != null
                || !batch.prevLsn().isBefore(marker) || batch.lsn().isBefore(marker))
                .as("batch (%s, %s] passes the marker at %s without the snapshot", batch.prevLsn(), batch.lsn(), marker)
                .isTrue());
        List<String> expected = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            for (int i = 0; i < t % 3 + 1; i++) {
                expected.add("customers:" + t + "-" + i);
            }
        }
        assertThat(ids(received).stream().filter(id -> id != null && id.startsWith("customers:")).toList())
                .as("every customers change once, in order").isEqualTo(expected);
    }
}
