package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.hub.testing.TestCapture;
import dev.tidemark.server.hub.testing.WsTestClient;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Parts of a large transaction go out while capture still writes it")
class HubPartsAheadTest extends HubTestBase {

    @Test
    @DisplayName("each chunk goes out as parts when it is logged; the last part only once the transaction is whole")
    void partsAheadThenTheLastOnceWhole() {
        startServer(hub -> hub.batchMaxChanges(25).window(1));
        WsTestClient client = hello("c1", Lsn.ZERO);
        TestCapture.LargeTransaction large = capture.beginLarge();

        large.writeAhead(TestCapture.updates("orders", "a", 30));
        List<Changes> parts = new ArrayList<>(client.nextChanges(2, WAIT));
        assertThat(parts).extracting(Changes::part).containsExactly(1, 2);
        assertThat(parts).extracting(Changes::last).containsExactly(false, false);
        assertThat(parts).extracting(p -> p.data().size()).containsExactly(25, 5);
        assertThat(parts).extracting(Changes::lsn).containsOnly(large.lsn());
        assertThat(parts).extracting(Changes::prevLsn).containsOnly(Lsn.ZERO);
        assertThat(parts).extracting(Changes::batchId).containsOnly(parts.get(0).batchId());
        assertThat(parts).allSatisfy(part -> assertThat(part.checksumMatches()).isTrue());
        await().during(java.time.Duration.ofMillis(200)).atMost(WAIT).until(() -> client.queued() == 0);

        large.writeAhead(TestCapture.updates("orders", "b", 10));
        Changes third = client.next(Changes.class, WAIT);
        assertThat(third.part()).isEqualTo(3);
        assertThat(third.last()).isFalse();
        assertThat(third.data()).hasSize(10);
        await().during(java.time.Duration.ofMillis(200)).atMost(WAIT).until(() -> client.queued() == 0);

        large.finish(TestCapture.updates("orders", "c", 5));
        Changes lastPart = client.next(Changes.class, WAIT);
        assertThat(lastPart.part()).isEqualTo(4);
        assertThat(lastPart.last()).isTrue();
        assertThat(lastPart.batchId()).isEqualTo(parts.get(0).batchId());
        assertThat(lastPart.checksumMatches()).isTrue();
        parts.add(third);
        parts.add(lastPart);
        assertThat(ids(parts)).isEqualTo(ids("a", 30, "b", 10, "c", 5));
        assertThat(counter("tidemark.hub.parts.ahead")).isEqualTo(3);

        // The batch counts once in the window; the stream goes on after it.
        ack(client, "c1", lastPart);
        Lsn small = capture.commit("orders", "small", 2);
        Changes next = client.next(Changes.class, WAIT);
        assertThat(next.prevLsn()).isEqualTo(large.lsn());
        assertThat(next.lsn()).isEqualTo(small);
        assertThat(next.isPart()).isFalse();
    }

    @Test
    @DisplayName("a client gets only its types ahead; a chunk with none of them sends nothing")
    void aheadKeepsTheFilter() {
        startServer(hub -> hub.batchMaxChanges(25));
        WsTestClient client = hello("c1", Lsn.ZERO, "items");
        TestCapture.LargeTransaction large = capture.beginLarge();

        large.writeAhead(TestCapture.updates("orders", "o", 20));
        large.writeAhead(Stream.concat(TestCapture.updates("orders", "p", 5).stream(),
                TestCapture.updates("items", "i", 7).stream()).toList());
        Changes first = client.next(Changes.class, WAIT);
        assertThat(first.part()).isEqualTo(1);
        assertThat(first.last()).isFalse();
        assertThat(first.data()).extracting(Change::entityType).containsOnly("items");
        assertThat(first.data()).hasSize(7);

        large.finish(TestCapture.updates("items", "j", 3));
        Changes last = client.next(Changes.class, WAIT);
        assertThat(last.part()).isEqualTo(2);
        assertThat(last.last()).isTrue();
        assertThat(ids(List.of(first, last))).isEqualTo(ids("i", 7, "j", 3));
    }

    @Test
    @DisplayName("a client that cannot start at once reads the transaction from the log when it is whole")
    void aClientBehindTheChunksReadsTheLog() {
        startServer(hub -> hub.batchMaxChanges(25).window(1));
        WsTestClient client = hello("c1", Lsn.ZERO);
        Lsn before = capture.commit("orders", "first", 1);
        Changes unacked = client.next(Changes.class, WAIT);
        assertThat(unacked.lsn()).isEqualTo(before);

        // The window is full while more chunks are logged than the hub keeps: the first is gone when it opens.
        TestCapture.LargeTransaction large = capture.beginLarge();
        List<String> expected = new ArrayList<>();
        for (int chunk = 0; chunk < EarlyTransaction.MAX_CHUNKS + 2; chunk++) {
            large.writeAhead(TestCapture.updates("orders", "k" + chunk + "-", 10));
            expected.addAll(ids("k" + chunk + "-", 10));
        }
        ack(client, "c1", unacked);
        await().during(java.time.Duration.ofMillis(200)).atMost(WAIT).until(() -> client.queued() == 0);

        large.finish(TestCapture.updates("orders", "z", 3));
        expected.addAll(ids("z", 3));
        List<Changes> parts = HubStreamingTest.receiveThrough(client, "c1", large.lsn(), false);
        assertThat(parts).extracting(Changes::lsn).containsOnly(large.lsn());
        assertThat(parts.get(parts.size() - 1).last()).isTrue();
        assertThat(ids(parts)).isEqualTo(expected);
        assertChained(parts, before);
    }

    @Test
    @DisplayName("parts ahead that wait longer than the stall timeout for capture close the connection (1011), and the"
            + " hub serves the others on")
    void captureStoppedMidTransactionClosesTheStream() {
        startServer(hub -> hub.batchMaxChanges(25).aheadStallTimeout(java.time.Duration.ofMillis(300)));
        WsTestClient client = hello("c1", Lsn.ZERO);
        WsTestClient other = hello("c2", Lsn.ZERO, "items");
        TestCapture.LargeTransaction large = capture.beginLarge();
        large.writeAhead(TestCapture.updates("orders", "a", 10));
        Changes first = client.next(Changes.class, WAIT);
        assertThat(first.last()).isFalse();

        // Capture writes nothing more of it: the client's open batch must not stay open for good.
        assertThat(client.next(dev.tidemark.protocol.ErrorMessage.class, WAIT).code())
                .isEqualTo(dev.tidemark.protocol.ErrorCode.INTERNAL);
        assertThat(client.closeCode()).succeedsWithin(WAIT).isEqualTo(1011);
        Lsn whole = large.finish(TestCapture.updates("items", "i", 2));
        Changes items = other.next(Changes.class, WAIT);
        assertThat(items.lsn()).isEqualTo(whole);
        assertThat(ids(List.of(items))).isEqualTo(ids("i", 2));
    }

    private static List<String> ids(Object... prefixesAndCounts) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < prefixesAndCounts.length; i += 2) {
            ids.addAll(ids((String) prefixesAndCounts[i], (Integer) prefixesAndCounts[i + 1]));
        }
        return ids;
    }

    private static List<String> ids(String prefix, int count) {
        return TestCapture.updates("any", prefix, count).stream().map(Change::entityId).toList();
    }
}
