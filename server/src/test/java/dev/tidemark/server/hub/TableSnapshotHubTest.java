package dev.tidemark.server.hub;

import dev.tidemark.server.feed.SnapshotSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.server.hub.testing.InMemoryChangeLog;
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
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The hub sends a snapshot of a table to clients positioned before its refresh marker")
class TableSnapshotHubTest extends HubTestBase {

    /** The entity types each snapshot was opened for, in order. */
    private final List<Set<String>> opened = new CopyOnWriteArrayList<>();

    /** A snapshot source over fixed rows per entity type, at the capture position it is opened at. */
    private void snapshotOf(Map<String, List<Change>> rowsByType) {
        snapshots = entityTypes -> {
            Lsn position = capture.position();
            Set<String> types = new TreeSet<>();
            rowsByType.keySet().stream().filter(entityTypes).forEach(types::add);
            opened.add(types);
            List<Change> pending = new ArrayList<>();
            types.forEach(type -> pending.add(Change.truncate(type, Instant.EPOCH)));
            types.forEach(type -> pending.addAll(rowsByType.get(type)));
            long estimate = types.stream().mapToLong(type -> rowsByType.get(type).size()).sum();
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
                    return OptionalLong.of(estimate);
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

    /** Reads messages until a whole batch arrived; returns its messages. */
    private static List<Changes> nextBatch(WsTestClient client) {
        List<Changes> parts = new ArrayList<>();
        do {
            parts.add(client.next(Changes.class, WAIT));
        } while (!parts.get(parts.size() - 1).completesBatch());
        return parts;
    }

    private static List<Change> changesOf(List<Changes> parts) {
        List<Change> all = new ArrayList<>();
        parts.forEach(part -> all.addAll(part.data()));
        return all;
    }

    @Test
    @DisplayName("issue 11, reproduction 1: a new client gets the rows that existed before capture, with the log's other"
            + " changes, in one multi-part batch from its position; the table's own log changes up to the cut are skipped")
    void newClientGetsTheTableBeforeItsMarker() {
        List<Change> rows = TestCapture.updates("orders", "row", 7);
        snapshotOf(Map.of("orders", rows));
        startServer(hub -> hub.batchMaxChanges(3).verifyInterval(Duration.ZERO));
        capture.commit("customers", "c", 2);
        capture.commit("orders", "partial", 2);
        Lsn marker = capture.refresh("orders");
        capture.commit("orders", "row", 1);
        capture.commit("customers", "d", 1);
        Lsn cut = capture.position();

        WsTestClient client = hello("c1", Lsn.ZERO);
        List<Changes> parts = nextBatch(client);
        assertThat(parts).hasSizeGreaterThan(1).allSatisfy(part -> {
            assertThat(part.prevLsn()).isEqualTo(Lsn.ZERO);
            assertThat(part.lsn()).isEqualTo(cut);
            assertThat(part.batchId()).isEqualTo(parts.get(0).batchId());
            assertThat(part.checksumMatches()).isTrue();
            assertThat(part.snapshot()).isNotNull();
            assertThat(part.snapshot().entityTypes()).containsExactly("orders");
            assertThat(part.snapshot().rowsEstimated()).isEqualTo(7L);
        });
        assertThat(parts.get(parts.size() - 1).snapshot().rowsSent()).isEqualTo(7);
        List<Change> data = changesOf(parts);
        assertThat(data).extracting(Change::entityId).containsExactly("c0", "c1", "d0", null,
                "row0", "row1", "row2", "row3", "row4", "row5", "row6");
        assertThat(data.get(3).type()).isEqualTo(ChangeType.TRUNCATE);
        assertThat(data).filteredOn(change -> change.entityId() != null && change.entityId().startsWith("partial"))
                .as("the table's own log changes up to the cut").isEmpty();
        assertThat(marker).isLessThan(cut);

        // The client's running checksum plus logChecksum minus what it applied is the log's checksum at the cut.
        long applied = Checksum.of(data);
        long offset = parts.get(0).snapshot().logChecksum() - applied;
        assertThat(applied + offset).isEqualTo(changeLog.checksumThrough(cut).orElseThrow());

        ack(client, "c1", parts.get(parts.size() - 1));
        Lsn later = capture.commit("orders", "later", 1);
        Changes tail = client.next(Changes.class, WAIT);
        assertThat(tail.prevLsn()).isEqualTo(cut);
        assertThat(tail.lsn()).isEqualTo(later);
        assertThat(tail.snapshot()).isNull();
        assertThat(opened).containsExactly(Set.of("orders"));
        assertThat(counter("tidemark.hub.table.snapshots")).isEqualTo(1);
    }

    @Test
    @DisplayName("several markers in range are served by one cut; a client past the markers gets no snapshot")
    void severalMarkersOneCut() {
        snapshotOf(Map.of("orders", TestCapture.updates("orders", "o", 2),
                "customers", TestCapture.updates("customers", "k", 3)));
        startServer();
        Lsn first = capture.refresh("orders");
        capture.commit("orders", "x", 1);
        capture.refresh("customers");
        capture.commit("invoices", "i", 1);
        Lsn cut = capture.position();

        WsTestClient client = hello("c1", Lsn.ZERO);
        List<Changes> parts = nextBatch(client);
        assertThat(parts.get(0).snapshot().entityTypes()).containsExactly("customers", "orders");
        assertThat(parts.get(0).lsn()).isEqualTo(cut);
        assertThat(changesOf(parts)).extracting(Change::entityId)
                .containsExactly("i0", null, null, "k0", "k1", "k2", "o0", "o1");
        assertThat(opened).hasSize(1);

        WsTestClient past = hello("c2", cut);
        capture.commit("orders", "y", 1);
        Changes batch = past.next(Changes.class, WAIT);
        assertThat(batch.snapshot()).isNull();
        assertThat(batch.prevLsn()).isEqualTo(cut);
        assertThat(opened).hasSize(1);
    }

    @Test
    @DisplayName("a table refresh that comes with a large transaction whose parts went out ahead closes the"
            + " connection (1011) instead of passing the marker; the client resumes before it and gets the snapshot")
    void refreshInATransactionSentAhead() {
        snapshotOf(Map.of("orders", TestCapture.updates("orders", "o", 2)));
        startServer(hub -> hub.batchMaxChanges(25));
        WsTestClient client = hello("c1", Lsn.ZERO, "orders");
        WsTestClient other = hello("c2", Lsn.ZERO, "invoices");
        TestCapture.LargeTransaction large = capture.beginLarge();
        large.writeAhead(TestCapture.updates("orders", "a", 10));
        Changes ahead = client.next(Changes.class, WAIT);
        assertThat(ahead.part()).isEqualTo(1);
        assertThat(ahead.last()).isFalse();

        large.finish(TestCapture.updates("orders", "b", 2), "orders");
        assertThat(client.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(client.closeCode()).succeedsWithin(WAIT).isEqualTo(1011);

        // The client resumes from what it committed, before the transaction: the marker is ahead of it now.
        WsTestClient again = hello("c1", Lsn.ZERO, "orders");
        List<Changes> parts = nextBatch(again);
        assertThat(parts.get(0).prevLsn()).isEqualTo(Lsn.ZERO);
        assertThat(parts.get(0).snapshot().entityTypes()).containsExactly("orders");
        assertThat(changesOf(parts)).extracting(Change::entityId).containsExactly(null, "o0", "o1");
        // Another client's stream goes on.
        Lsn invoice = capture.commit("invoices", "i", 1);
        Changes next = other.next(Changes.class, WAIT);
        while (next.data().isEmpty()) {
            ack(other, "c2", next);
            next = other.next(Changes.class, WAIT);
        }
        assertThat(next.lsn()).isEqualTo(invoice);
    }

    @Test
    @DisplayName("a live client gets a snapshot when a marker of its type appears, and only of that type; a client"
            + " of other types does not")
    void liveClientGetsSnapshotOfRefreshedType() {
        snapshotOf(Map.of("orders", TestCapture.updates("orders", "o", 2)));
        startServer(hub -> hub.verifyInterval(Duration.ZERO));
        WsTestClient orders = hello("c1", Lsn.ZERO, "orders", "customers");
        WsTestClient invoices = hello("c2", Lsn.ZERO, "invoices");
        Lsn first = capture.commit("customers", "c", 1);
        Changes before = orders.next(Changes.class, WAIT);
        assertThat(before.lsn()).isEqualTo(first);
        ack(orders, "c1", before);

        capture.refresh("orders");
        Lsn after = capture.commit("invoices", "i", 1);
        List<Changes> parts = nextBatch(orders);
        assertThat(parts.get(0).prevLsn()).isEqualTo(first);
        assertThat(parts.get(0).snapshot().entityTypes()).containsExactly("orders");
        assertThat(changesOf(parts)).extracting(Change::entityId).containsExactly(null, "o0", "o1");
        ack(orders, "c1", parts.get(parts.size() - 1));
        orders.send(new SyncVerify("c1", parts.get(0).lsn(), null));
        assertThat(orders.next(SyncVerifyResult.class, WAIT).status()).isEqualTo(VerifyStatus.UP_TO_DATE);

        Changes other = invoices.next(Changes.class, WAIT);
        while (other.data().isEmpty()) {
            assertThat(other.snapshot()).isNull();
            ack(invoices, "c2", other);
            other = invoices.next(Changes.class, WAIT);
        }
        assertThat(other.snapshot()).isNull();
        assertThat(other.lsn()).isEqualTo(after);
        assertThat(counter("tidemark.hub.acks.rejected")).isZero();
    }

    @Test
    @DisplayName("a node that follows another's log (ranges without markers) reads the markers from the log: the live"
            + " client still gets the snapshot of the refreshed type")
    void followerReadsTheMarkers() {
        capture.tellsMarkers(false);
        liveClientGetsSnapshotOfRefreshedType();
    }

    @Test
    @DisplayName("on the node that captures, the live path reads no refresh markers from the log: capture tells them"
            + " with each range")
    void captureTellsTheMarkers() {
        assumeTrue(changeLog instanceof InMemoryChangeLog, "counts the in-memory log's reads");
        InMemoryChangeLog memory = (InMemoryChangeLog) changeLog;
        snapshotOf(Map.of("orders", TestCapture.updates("orders", "o", 2)));
        startServer(hub -> hub.verifyInterval(Duration.ZERO));
        WsTestClient client = hello("c1", Lsn.ZERO, "customers", "orders");
        int before = memory.refreshesCalls();
        for (int i = 0; i < 20; i++) {
            Lsn lsn = capture.commit("customers", "k" + i, 1);
            Changes batch = client.next(Changes.class, WAIT);
            while (batch.data().isEmpty()) {
                ack(client, "c1", batch);
                batch = client.next(Changes.class, WAIT);
            }
            assertThat(batch.lsn()).isEqualTo(lsn);
            ack(client, "c1", batch);
        }
        assertThat(memory.refreshesCalls() - before).as("reads of the refresh markers while 20 transactions went live")
                .isZero();

        // Capture's word carries the markers too: the refreshed type's snapshot still comes.
        capture.refresh("orders");
        Lsn after = capture.commit("customers", "z", 1);
        List<Changes> parts = nextBatch(client);
        assertThat(parts.get(0).snapshot().entityTypes()).containsExactly("orders");
        assertThat(changesOf(parts)).extracting(Change::entityId).contains("o0", "o1");
        assertThat(parts.get(parts.size() - 1).lsn()).isLessThanOrEqualTo(after);
    }

    @Test
    @DisplayName("a client that subscribes to a new entity type gets that type's snapshot first, then the tail, without"
            + " anything of its other types sent again")
    void newSubscriptionGetsItsSnapshot() {
        snapshotOf(Map.of("orders", TestCapture.updates("orders", "o", 3)));
        startServer();
        capture.commit("customers", "c", 1);
        Lsn position = capture.commit("orders", "x", 1);
        capture.commit("customers", "d", 1);
        Lsn cut = capture.heartbeat();

        WsTestClient client = connect("c1");
        client.send(new dev.tidemark.protocol.Hello("c1", position, historyId, dev.tidemark.protocol.Message.PROTOCOL_VERSION,
                List.of(dev.tidemark.protocol.Hello.CAPABILITY_ACK), List.of("customers", "orders"), List.of("customers")));
        client.next(dev.tidemark.protocol.Welcome.class, WAIT);
        List<Changes> parts = nextBatch(client);
        assertThat(parts.get(0).prevLsn()).isEqualTo(position);
        assertThat(parts.get(0).lsn()).isEqualTo(cut);
        assertThat(parts.get(0).snapshot().entityTypes()).containsExactly("orders");
        assertThat(changesOf(parts)).extracting(Change::entityId).containsExactly("d0", null, "o0", "o1", "o2");
        ack(client, "c1", parts.get(parts.size() - 1));
        Lsn later = capture.commit("orders", "y", 1);
        Changes tail = client.next(Changes.class, WAIT);
        assertThat(tail.prevLsn()).isEqualTo(cut);
        assertThat(tail.lsn()).isEqualTo(later);
        assertThat(opened).containsExactly(Set.of("orders"));

        // A client that holds what it subscribes to gets no snapshot.
        WsTestClient holder = connect("c2");
        holder.send(new dev.tidemark.protocol.Hello("c2", later, historyId, dev.tidemark.protocol.Message.PROTOCOL_VERSION,
                List.of(dev.tidemark.protocol.Hello.CAPABILITY_ACK), List.of("customers", "orders"),
                List.of("customers", "orders")));
        holder.next(dev.tidemark.protocol.Welcome.class, WAIT);
        Lsn last = capture.commit("orders", "z", 1);
        Changes batch = holder.next(Changes.class, WAIT);
        assertThat(batch.snapshot()).isNull();
        assertThat(batch.lsn()).isEqualTo(last);
        assertThat(opened).hasSize(1);
    }
}
