package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.AckStatus;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.server.hub.testing.TestCapture;
import dev.tidemark.server.hub.testing.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The hub streams the change log")
class HubStreamingTest extends HubTestBase {

    /** Receives batches (acking each when {@code ack}) until one ends at or after {@code target}. */
    static List<Changes> receiveThrough(WsTestClient client, String clientId, Lsn target, boolean ack) {
        List<Changes> batches = new ArrayList<>();
        Lsn at = Lsn.ZERO;
        while (at.isBefore(target)) {
            Message message = client.next(WAIT);
            assertThat(message).as("message while streaming").isInstanceOf(Changes.class);
            Changes batch = (Changes) message;
            batches.add(batch);
            if (batch.completesBatch()) {
                at = batch.lsn();
                if (ack) {
                    ack(client, clientId, batch);
                }
            }
        }
        return batches;
    }

    static List<String> expectedIds(String prefix, int transactions, int perTransaction) {
        List<String> ids = new ArrayList<>();
        for (int t = 0; t < transactions; t++) {
            for (int i = 0; i < perTransaction; i++) {
                ids.add(prefix + t + "-" + i);
            }
        }
        return ids;
    }

    @Test
    @DisplayName("catch-up reads the log in pages, then live changes follow without a gap or an overlap")
    void catchUpThenLive() {
        startServer(hub -> hub.batchMaxChanges(25).window(4));
        for (int t = 0; t < 30; t++) {
            capture.commitUnpublished(TestCapture.updates("orders", "o" + t + "-", 10));
        }
        Lsn caughtUp = capture.position();
        WsTestClient client = hello("c1", Lsn.ZERO);
        List<Changes> batches = receiveThrough(client, "c1", caughtUp, true);
        assertThat(counter("tidemark.hub.batches", "source", "log")).isGreaterThanOrEqualTo(12);
        assertThat(batches).allSatisfy(batch -> assertThat(batch.data()).hasSizeLessThanOrEqualTo(25));

        // One at a time, so each live transaction is its own batch (several waiting would come coalesced).
        for (int t = 30; t < 40; t++) {
            capture.commit("orders", "o" + t + "-", 10);
            batches.addAll(receiveThrough(client, "c1", capture.position(), true));
        }

        assertThat(ids(batches)).isEqualTo(expectedIds("o", 40, 10));
        assertChained(batches, Lsn.ZERO);
        assertThat(batches.get(batches.size() - 1).lsn()).isEqualTo(capture.position());
        assertThat(counter("tidemark.hub.batches", "source", "live")).isGreaterThanOrEqualTo(10);
    }

    @Test
    @DisplayName("commits racing the hand-over from catch-up to live are each delivered exactly once")
    void handOverUnderConcurrentCommits() throws Exception {
        startServer(hub -> hub.batchMaxChanges(7).window(3).liveBufferBytes(4096));
        AtomicBoolean stop = new AtomicBoolean();
        int[] committed = {0};
        Thread producer = new Thread(() -> {
            for (int t = 0; t < 300 && !stop.get(); t++) {
                if (t % 5 == 0) {
                    capture.commitUnpublished(TestCapture.updates("orders", "o" + t + "-", 3));
                } else if (t % 7 == 0) {
                    capture.heartbeat();
                    capture.commit("orders", "o" + t + "-", 3);
                } else {
                    capture.commit("orders", "o" + t + "-", 3);
                }
                committed[0] = t + 1;
            }
        });
        producer.start();
        WsTestClient early = hello("early", Lsn.ZERO);
        List<Changes> earlyBatches = new ArrayList<>();
        WsTestClient late = null;
        List<Changes> lateBatches = new ArrayList<>();
        // The late client connects while commits are still arriving.
        earlyBatches.addAll(receiveThrough(early, "early", Lsn.of(0x100 * 20), true));
        late = hello("late", Lsn.ZERO);
        producer.join();
        Lsn end = capture.position();
        earlyBatches.addAll(receiveThrough(early, "early", end, true));
        lateBatches.addAll(receiveThrough(late, "late", end, true));

        List<String> expected = expectedIds("o", committed[0], 3);
        assertThat(ids(earlyBatches)).isEqualTo(expected);
        assertThat(ids(lateBatches)).isEqualTo(expected);
        assertChained(earlyBatches, Lsn.ZERO);
        assertChained(lateBatches, Lsn.ZERO);
    }

    @Test
    @DisplayName("at most a window of unacked batches is sent; an ack opens it again")
    void windowStallsAndResumes() {
        startServer(hub -> hub.window(2));
        WsTestClient client = hello("c1", Lsn.ZERO);
        List<Changes> first = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            capture.commit("orders", "o" + t + "-", 2);
            first.add(client.next(Changes.class, WAIT));
        }
        await().atMost(WAIT).until(() -> stats("c1").unackedBatches() == 2);
        for (int t = 2; t < 6; t++) {
            capture.commit("orders", "o" + t + "-", 2);
        }
        capture.commit("orders", "late-", 1);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> client.queued() == 0
                && stats("c1").unackedBatches() == 2 && stats("c1").sent().equals(first.get(1).lsn()));

        ack(client, "c1", first.get(0));
        Changes third = client.next(Changes.class, WAIT);
        assertThat(third.prevLsn()).isEqualTo(first.get(1).lsn());
        // Everything that waited in the live buffer comes coalesced in the one batch the window allows.
        assertThat(third.lsn()).isEqualTo(capture.position());
        assertThat(third.data()).hasSize(4 * 2 + 1);
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> client.queued() == 0);

        ack(client, "c1", third);
        capture.commit("orders", "last-", 1);
        List<Changes> rest = receiveThrough(client, "c1", capture.position(), true);
        List<Changes> all = new ArrayList<>(first);
        all.add(third);
        all.addAll(rest);
        assertChained(all, Lsn.ZERO);
        assertThat(ids(all)).hasSize(14);
    }

    @Test
    @DisplayName("an error ack rewinds to the acked position and resends exactly the unacked range")
    void errorAckResendsUnackedRange() {
        startServer(hub -> hub.window(3));
        WsTestClient client = hello("c1", Lsn.ZERO);
        List<Changes> sent = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            capture.commit("orders", "o" + t + "-", 4);
            sent.add(client.next(Changes.class, WAIT));
        }
        ack(client, "c1", sent.get(0));
        client.send(SyncAck.error("c1", sent.get(0).lsn(), "disk full", sent.get(1).batchId()));

        List<Changes> resent = receiveThrough(client, "c1", sent.get(2).lsn(), false);
        assertThat(resent.get(0).prevLsn()).isEqualTo(sent.get(0).lsn());
        assertChained(resent, sent.get(0).lsn());
        assertThat(ids(resent)).isEqualTo(ids(sent.subList(1, 3)));
        assertThat(resent.get(0).batchId()).isNotEqualTo(sent.get(1).batchId());
        assertThat(counter("tidemark.hub.resends")).isEqualTo(1);

        // A late error ack for a batch sent before the rewind is stale: nothing is resent again.
        client.send(SyncAck.error("c1", sent.get(0).lsn(), "gap", sent.get(2).batchId()));
        resent.forEach(batch -> ack(client, "c1", batch));
        await().atMost(WAIT).until(() -> stats("c1").acked().equals(sent.get(2).lsn()));
        assertThat(counter("tidemark.hub.resends")).isEqualTo(1);
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> client.queued() == 0);
        await().atMost(WAIT).until(() -> changeLog.progress().stream()
                .anyMatch(p -> p.clientId().equals("c1") && p.ackedLsn().equals(sent.get(2).lsn())
                        && "disk full".equals(p.lastError())));
    }

    @Test
    @DisplayName("after the retry limit of error acks in a row the server gives up on the connection")
    void retryLimitCloses() {
        startServer(hub -> hub.resendRetryLimit(2));
        WsTestClient client = hello("c1", Lsn.ZERO);
        capture.commit("orders", "o", 2);
        for (int attempt = 1; attempt <= 2; attempt++) {
            Changes batch = client.next(Changes.class, WAIT);
            client.send(SyncAck.error("c1", Lsn.ZERO, "constraint violated", batch.batchId()));
        }
        Changes last = client.next(Changes.class, WAIT);
        client.send(SyncAck.error("c1", Lsn.ZERO, "constraint violated", last.batchId()));
        ErrorMessage error = client.next(ErrorMessage.class, WAIT);
        assertThat(error.code()).isEqualTo(ErrorCode.STORE_FAILURE);
        assertThat(error.message()).contains("3 times").contains("constraint violated");
        assertThat(client.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.NORMAL);
    }
}
