package dev.tidemark.server.hub;

import dev.tidemark.server.feed.SnapshotSource;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.server.hub.testing.TestCapture;
import dev.tidemark.server.hub.testing.WsTestClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("sync_verify compares the checksum of clients that receive only some entity types")
class TypeChecksumVerifyTest extends HubTestBase {

    /** A snapshot source over fixed rows per entity type, at the capture position it is opened at. */
    private void snapshotOf(Map<String, List<Change>> rowsByType) {
        snapshots = entityTypes -> {
            Lsn position = capture.position();
            Set<String> types = new TreeSet<>();
            rowsByType.keySet().stream().filter(entityTypes).forEach(types::add);
            List<Change> pending = new ArrayList<>();
            types.forEach(type -> pending.add(Change.truncate(type, Instant.EPOCH)));
            types.forEach(type -> pending.addAll(rowsByType.get(type)));
            return new SnapshotSource.Snapshot() {
                @Override
                public Lsn position() {
                    return position;
                }

                @Override
                public List<String> entityTypes() {
                    return List.copyOf(types);
                }

                @Override
                public OptionalLong estimatedRows() {
                    return OptionalLong.empty();
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

    /**
     * A client's running checksum after these batches, as the client keeps it: the sum of what it applied, and for
     * a snapshot batch its {@code logChecksum} instead (ResyncLedger); null when a snapshot's was unknown.
     */
    private static Long clientChecksum(List<Changes> batches) {
        long sum = 0;
        for (Changes part : batches) {
            if (part.snapshot() != null) {
                if (part.completesBatch()) {
                    if (part.snapshot().logChecksum() == null) {
                        return null;
                    }
                    sum += part.snapshot().logChecksum();
                }
            } else {
                sum += Checksum.of(part.data());
            }
        }
        return sum;
    }

    private SyncVerifyResult verify(WsTestClient client, String clientId, Lsn lsn, Long checksum) {
        client.send(new SyncVerify(clientId, lsn, checksum));
        return client.next(SyncVerifyResult.class, WAIT);
    }

    @Test
    @DisplayName("a subscribed client with a change skipped, or applied twice, in its store is told resync_required"
            + " (checksum mismatch); with the right checksum it is up to date")
    void subscribedClientWithWrongChecksumMustResync() {
        startServer(hub -> hub.verifyInterval(Duration.ZERO));
        WsTestClient skipping = hello("skipping", Lsn.ZERO, "orders", "invoices");
        WsTestClient doubling = hello("doubling", Lsn.ZERO, "orders");
        capture.commit("orders", "o", 2);
        capture.commitTransactions(List.of(TestCapture.updates("customers", "c", 3),
                TestCapture.updates("invoices", "i", 1)));
        Lsn last = capture.commit("orders", "p", 2);

        List<Changes> batches = HubStreamingTest.receiveThrough(skipping, "skipping", last, true);
        long received = clientChecksum(batches);
        assertThat(verify(skipping, "skipping", last, received).status()).isEqualTo(VerifyStatus.UP_TO_DATE);
        Change skipped = batches.get(0).data().get(1);
        SyncVerifyResult mismatch = verify(skipping, "skipping", last, received - Checksum.of(skipped));
        assertThat(mismatch.status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);

        List<Changes> others = HubStreamingTest.receiveThrough(doubling, "doubling", last, true);
        long twice = clientChecksum(others) + Checksum.of(others.get(0).data().get(0));
        assertThat(verify(doubling, "doubling", last, twice).status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
        assertThat(counter("tidemark.hub.verify.checksum.mismatches")).isEqualTo(2);
    }

    @Test
    @DisplayName("a subscribed client that got a table snapshot from 0/0, and then one while live, verifies up_to_date"
            + " with its checksum, and a wrong checksum is still caught")
    void subscribedClientAfterTableSnapshots() {
        snapshotOf(Map.of("orders", TestCapture.updates("orders", "row", 4),
                "customers", TestCapture.updates("customers", "cust", 3)));
        startServer(hub -> hub.verifyInterval(Duration.ZERO).batchMaxChanges(3));
        capture.commit("customers", "c", 2);
        capture.commit("orders", "partial", 2);
        capture.refresh("orders");
        capture.commit("orders", "row", 1);
        capture.commit("invoices", "i", 1);
        Lsn cut = capture.commit("customers", "d", 1);

        WsTestClient client = hello("c1", Lsn.ZERO, "orders", "invoices");
        List<Changes> batches = new ArrayList<>(HubStreamingTest.receiveThrough(client, "c1", cut, true));
        assertThat(batches.get(0).snapshot()).isNotNull();
        assertThat(batches.get(0).snapshot().logChecksum()).isNotNull();
        assertThat(verify(client, "c1", cut, clientChecksum(batches)).status()).isEqualTo(VerifyStatus.UP_TO_DATE);

        Lsn tail = capture.commit("orders", "later", 2);
        batches.addAll(HubStreamingTest.receiveThrough(client, "c1", tail, true));
        // A live client: the orders table is refreshed (a marker) while it streams.
        capture.refresh("orders");
        capture.commit("customers", "e", 1);
        Lsn end = capture.commit("orders", "more", 1);
        List<Changes> live = HubStreamingTest.receiveThrough(client, "c1", end, true);
        assertThat(live).anySatisfy(part -> assertThat(part.snapshot()).isNotNull());
        batches.addAll(live);
        Long checksum = clientChecksum(batches);
        assertThat(checksum).as("every snapshot's log checksum is known").isNotNull();
        assertThat(verify(client, "c1", end, checksum).status()).isEqualTo(VerifyStatus.UP_TO_DATE);
        assertThat(verify(client, "c1", end, checksum + 1).status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
    }

    @Test
    @DisplayName("a client that subscribes to a type it did not hold gets that type's snapshot with an unknown log"
            + " checksum (its checksum lacks the type's earlier history), so it is verified by position only")
    void newSubscriptionIsVerifiedByPosition() {
        snapshotOf(Map.of("orders", TestCapture.updates("orders", "o", 3)));
        startServer(hub -> hub.verifyInterval(Duration.ZERO));
        capture.commit("orders", "x", 1);
        Lsn position = capture.commit("customers", "c", 1);
        capture.commit("orders", "y", 1);
        Lsn cut = capture.heartbeat();

        WsTestClient client = connect("c1");
        client.send(new Hello("c1", position, historyId, Message.PROTOCOL_VERSION,
                List.of(Hello.CAPABILITY_ACK, Hello.CAPABILITY_VERIFY), List.of("customers", "orders"),
                List.of("customers")));
        client.next(Welcome.class, WAIT);
        List<Changes> parts = HubStreamingTest.receiveThrough(client, "c1", cut, true);
        assertThat(parts.get(0).snapshot().entityTypes()).containsExactly("orders");
        assertThat(parts.get(0).snapshot().logChecksum()).isNull();
        assertThat(verify(client, "c1", cut, null).status()).isEqualTo(VerifyStatus.UP_TO_DATE);
    }
}
