package dev.tidemark.server.hub;

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
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.server.hub.testing.InMemoryChangeLog;
import dev.tidemark.server.hub.testing.TestCapture;
import dev.tidemark.server.hub.testing.WsTestClient;
import dev.tidemark.server.spi.ClientProgress;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The hub keeps the protocol's rules")
class HubProtocolTest extends HubTestBase {

    @Test
    @DisplayName("a transaction above the batch bound travels in parts that share batchId, prevLsn and lsn")
    void multiPartTransaction() {
        startServer(hub -> hub.batchMaxChanges(25).window(1));
        WsTestClient client = hello("c1", Lsn.ZERO);
        Lsn big = capture.commitInChunks(TestCapture.updates("orders", "big", 60), 16);
        Lsn small = capture.commit("orders", "small", 2);

        List<Changes> parts = client.nextChanges(3, WAIT);
        assertThat(parts).extracting(Changes::part).containsExactly(1, 2, 3);
        assertThat(parts).extracting(Changes::last).containsExactly(false, false, true);
        assertThat(parts).extracting(Changes::batchId).containsOnly(parts.get(0).batchId());
        assertThat(parts).extracting(Changes::prevLsn).containsOnly(Lsn.ZERO);
        assertThat(parts).extracting(Changes::lsn).containsOnly(big);
        assertThat(parts).extracting(p -> p.data().size()).containsExactly(25, 25, 10);
        assertThat(ids(parts)).isEqualTo(TestCapture.updates("orders", "big", 60).stream().map(c -> c.entityId()).toList());
        // The whole multi-part batch counts as one in the window of 1.
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> client.queued() == 0);
        ack(client, "c1", parts.get(2));
        Changes next = client.next(Changes.class, WAIT);
        assertThat(next.prevLsn()).isEqualTo(big);
        assertThat(next.lsn()).isEqualTo(small);
        assertThat(next.isPart()).isFalse();
    }

    @Test
    @DisplayName("a large transaction in a live range is split by the byte bound as well")
    void byteBound() {
        startServer(hub -> hub.batchMaxBytes(2048));
        WsTestClient client = hello("c1", Lsn.ZERO);
        List<dev.tidemark.protocol.Change> changes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            changes.add(dev.tidemark.protocol.Change.update("docs", "d" + i,
                    "{\"body\":\"" + "x".repeat(400) + "\"}", java.time.Instant.now()));
        }
        capture.commit(changes);
        List<Changes> parts = HubStreamingTest.receiveThrough(client, "c1", capture.position(), false);
        assertThat(parts.size()).isGreaterThan(4);
        assertThat(parts).allSatisfy(part -> assertThat(part.data().stream().mapToLong(ChangeSize::of).sum())
                .isLessThanOrEqualTo(2048));
        assertThat(ids(parts)).hasSize(20);
        assertThat(parts.get(parts.size() - 1).last()).isTrue();
    }

    @Test
    @DisplayName("a client receives only the entity types its token allows and it subscribed to")
    void entityTypesAreFiltered() {
        startServer();
        WsTestClient client = track(WsTestClient.connect(uri(null), bearer(token("c1", "orders", "customers"))));
        client.send(new Hello("c1", Lsn.ZERO, null, 1, List.of("ack"), List.of("orders", "invoices")));
        client.next(Welcome.class, WAIT);
        capture.commitTransactions(List.of(TestCapture.updates("invoices", "i", 2), TestCapture.updates("orders", "o", 2),
                TestCapture.updates("customers", "c", 2)));
        Changes batch = client.next(Changes.class, WAIT);
        assertThat(ids(List.of(batch))).containsExactly("o0", "o1");
        assertThat(batch.lsn()).isEqualTo(capture.position());
    }

    @Test
    @DisplayName("a client whose tables are quiet gets an empty batch that moves its position")
    void emptyBatchMovesQuietClient() {
        startServer(hub -> hub.emptyBatchInterval(Duration.ofMillis(100)));
        WsTestClient client = hello("quiet", Lsn.ZERO, "customers");
        capture.commit("orders", "o", 3);
        capture.heartbeat();
        Lsn position = capture.commit("orders", "p", 3);
        // The empty-batch timer may fire between the commits: then the position moves in more than one empty
        // batch, each chained to the one before, and the last one reaches the position.
        Lsn prev = Lsn.ZERO;
        Changes empty;
        do {
            empty = client.next(Changes.class, WAIT);
            assertThat(empty.data()).isEmpty();
            assertThat(empty.prevLsn()).isEqualTo(prev);
            assertThat(empty.lsn().isAfter(prev)).as("each empty batch moves the position").isTrue();
            ack(client, "quiet", empty);
            prev = empty.lsn();
        } while (!empty.lsn().equals(position));
        await().atMost(WAIT).until(() -> stats("quiet").acked().equals(position));
    }

    @Test
    @DisplayName("issue 17: a client that caught up from the log, whose last batch ended before the log's end, gets the"
            + " position-only batch at once, not after the empty-batch interval")
    void positionOnlyBatchRightAfterCatchUp() {
        startServer(hub -> hub.emptyBatchInterval(Duration.ofHours(1)));
        Lsn orders = capture.commit("orders", "o", 2);
        // Not in the live buffer: a coalesced live batch would otherwise reach the end by itself; from the log the
        // stream only learns that nothing it receives happened up to the end.
        capture.commitUnpublished(TestCapture.updates("customers", "c", 2));
        Lsn end = capture.heartbeat();
        WsTestClient client = hello("filtered", Lsn.ZERO, "orders");
        Changes batch = client.next(Changes.class, WAIT);
        assertThat(batch.lsn()).isEqualTo(orders);
        ack(client, "filtered", batch);
        Changes positionOnly = client.next(Changes.class, WAIT);
        assertThat(positionOnly.data()).isEmpty();
        assertThat(positionOnly.prevLsn()).isEqualTo(orders);
        assertThat(positionOnly.lsn()).isEqualTo(end);
    }

    @Test
    @DisplayName("forged acks (another client id, beyond what was sent, not a batch end) get an error and change nothing")
    void forgedAcksAreRejected() {
        startServer(hub -> hub.window(4));
        WsTestClient client = hello("c1", Lsn.ZERO);
        capture.commit("orders", "a", 1);
        List<Changes> batches = new ArrayList<>(client.nextChanges(1, WAIT));
        capture.commit("orders", "b", 1);
        batches.add(client.next(Changes.class, WAIT));

        client.send(SyncAck.success("someone-else", batches.get(0).lsn(), null));
        assertThat(client.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.FORBIDDEN);
        client.send(SyncAck.success("c1", Lsn.of(capture.position().value() + 1), null));
        assertThat(client.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.ACK_OUT_OF_RANGE);
        client.send(SyncAck.success("c1", Lsn.of(batches.get(0).lsn().value() + 1), null));
        assertThat(client.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.ACK_OUT_OF_RANGE);
        client.send(SyncAck.error("c1", Lsn.of(capture.position().value() + 5), "x", null));
        assertThat(client.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.ACK_OUT_OF_RANGE);

        SessionStats stats = stats("c1");
        assertThat(stats.acked()).isEqualTo(Lsn.ZERO);
        assertThat(stats.unackedBatches()).isEqualTo(2);
        assertThat(stats.epoch()).isZero();
        assertThat(counter("tidemark.hub.acks.rejected")).isEqualTo(4);

        ack(client, "c1", batches.get(1));
        await().atMost(WAIT).until(() -> stats("c1").acked().equals(batches.get(1).lsn()));
        assertThat(stats("c1").unackedBatches()).isZero();
    }

    @Test
    @DisplayName("a legacy client (query parameters, no hello) is streamed to without acks; its progress is what was sent")
    void legacyClient() throws Exception {
        startServer(hub -> hub.window(1));
        for (int t = 0; t < 5; t++) {
            capture.commit("orders", "o" + t + "-", 2);
        }
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(uri("clientId=legacy&lsn=0/0&token=" + token("legacy")), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        track(() -> socket.abort());
        List<Changes> batches = new ArrayList<>();
        Lsn at = Lsn.ZERO;
        var codec = new dev.tidemark.protocol.MessageCodec();
        while (at.isBefore(capture.position())) {
            String text = received.poll(10, TimeUnit.SECONDS);
            assertThat(text).as("a changes message").isNotNull();
            Changes batch = (Changes) codec.decode(text);
            batches.add(batch);
            at = batch.lsn();
        }
        assertThat(ids(batches)).hasSize(10);
        assertChained(batches, Lsn.ZERO);
        Lsn end = capture.position();
        await().atMost(WAIT).until(() -> changeLog.progress().stream()
                .anyMatch(p -> p.clientId().equals("legacy") && p.ackedLsn().equals(end) && p.connected()));
    }

    @Test
    @DisplayName("a client of another history, ahead of the server, or behind the retained log must resync")
    void resyncRequired() {
        startServer();
        capture.commit("orders", "o", 2);
        Lsn position = capture.position();

        WsTestClient otherHistory = connect("c1");
        otherHistory.send(new Hello("c1", position, "another-history", 1, List.of("ack"), List.of()));
        otherHistory.next(Welcome.class, WAIT);
        SyncVerifyResult verdict = otherHistory.next(SyncVerifyResult.class, WAIT);
        assertThat(verdict.status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
        assertThat(verdict.serverLsn()).isEqualTo(position);

        WsTestClient ahead = connect("c2");
        ahead.send(new Hello("c2", Lsn.of(position.value() + 0x1000), historyId, 1, List.of("ack"), List.of()));
        ahead.next(Welcome.class, WAIT);
        assertThat(ahead.next(SyncVerifyResult.class, WAIT).status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);

        changeLog.trim(position);
        WsTestClient behind = connect("c3");
        behind.send(new Hello("c3", Lsn.ZERO, null, 1, List.of("ack"), List.of()));
        behind.next(Welcome.class, WAIT);
        assertThat(behind.next(SyncVerifyResult.class, WAIT).status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);

        capture.commit("orders", "later", 1);
        ahead.send(SyncAck.success("c2", capture.position(), null));
        assertThat(ahead.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
        await().during(Duration.ofMillis(200)).atMost(WAIT)
                .until(() -> otherHistory.queued() == 0 && ahead.queued() == 0 && behind.queued() == 0);
    }

    @Test
    @DisplayName("sync_verify answers up_to_date at the sent position, changes_follow (without a restart) behind it,"
            + " resync_required ahead of the server or behind an acknowledged position")
    void verify() {
        startServer(hub -> hub.window(4).verifyInterval(Duration.ZERO));
        WsTestClient client = hello("c1", Lsn.ZERO);
        capture.commit("orders", "a", 2);
        List<Changes> batches = new ArrayList<>(client.nextChanges(1, WAIT));
        capture.commit("orders", "b", 2);
        batches.add(client.next(Changes.class, WAIT));
        client.send(new SyncVerify("c1", batches.get(1).lsn(), null));
        assertThat(client.next(SyncVerifyResult.class, WAIT).status()).isEqualTo(VerifyStatus.UP_TO_DATE);

        // The batch after 'a' is already on its way: changes follow, and nothing is sent again.
        client.send(new SyncVerify("c1", batches.get(0).lsn(), null));
        SyncVerifyResult result = client.next(SyncVerifyResult.class, WAIT);
        assertThat(result.status()).isEqualTo(VerifyStatus.CHANGES_FOLLOW);
        ack(client, "c1", batches.get(1));
        capture.commit("orders", "c", 1);
        Changes next = client.next(Changes.class, WAIT);
        assertThat(next.prevLsn()).as("the stream goes on, no batch is sent twice").isEqualTo(batches.get(1).lsn());
        ack(client, "c1", next);

        // Behind what it acknowledged: its store lost committed changes.
        client.send(new SyncVerify("c1", batches.get(0).lsn(), null));
        assertThat(client.next(SyncVerifyResult.class, WAIT).status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
    }

    @Test
    @DisplayName("sync_verify ahead of the server answers resync_required")
    void verifyAhead() {
        startServer(hub -> hub.verifyInterval(Duration.ZERO));
        WsTestClient client = hello("c1", Lsn.ZERO);
        capture.commit("orders", "a", 1);
        client.nextChanges(1, WAIT);
        client.send(new SyncVerify("c1", Lsn.of(capture.position().value() + 1), null));
        assertThat(client.next(SyncVerifyResult.class, WAIT).status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
    }

    @Test
    @DisplayName("issue 11, reproduction 3: a client that verifies an interrupted apply while the stream of its hello is"
            + " in flight gets no batch twice, and no ack of it is rejected")
    void verifyUnderALiveStreamDoesNotOverlap() {
        startServer(hub -> hub.window(8).verifyInterval(Duration.ZERO));
        capture.commit("orders", "before", 1);
        Lsn committed = capture.position();
        for (int i = 0; i < 6; i++) {
            capture.commit("orders", "tx" + i, 3);
        }
        // The client comes back at its committed LSN, and verifies there as a client with an interrupted apply
        // does. The hello stream's first batch is already on the wire when the verify goes out.
        WsTestClient client = hello("c1", committed);
        Changes first = client.next(Changes.class, WAIT);
        client.send(new SyncVerify("c1", committed, null));

        // Play a strict client: apply in order, ack each batch; a batch that does not start at the position
        // is refused as the real client refuses it.
        Lsn position = committed;
        List<Changes> refused = new ArrayList<>();
        List<SyncVerifyResult> answers = new ArrayList<>();
        Changes batch = first;
        while (true) {
            if (batch != null) {
                if (batch.prevLsn().equals(position)) {
                    position = batch.lsn();
                    ack(client, "c1", batch);
                } else {
                    refused.add(batch);
                    client.send(SyncAck.error("c1", position, "does not start at " + position, batch.batchId()));
                }
            }
            if (position.equals(capture.position()) && !answers.isEmpty()) {
                break;
            }
            Message message = client.next(WAIT);
            batch = message instanceof Changes changes ? changes : null;
            if (message instanceof SyncVerifyResult answer) {
                answers.add(answer);
            } else if (batch == null) {
                throw new AssertionError("unexpected " + message);
            }
        }
        capture.commit("orders", "after", 1);
        Changes after = client.next(Changes.class, WAIT);
        assertThat(after.prevLsn()).isEqualTo(position);
        ack(client, "c1", after);

        assertThat(answers).singleElement().extracting(SyncVerifyResult::status).isEqualTo(VerifyStatus.CHANGES_FOLLOW);
        assertThat(refused).as("batches that overlapped what the client had").isEmpty();
        await().atMost(WAIT).until(() -> stats("c1").acked().equals(after.lsn()));
        assertThat(counter("tidemark.hub.acks.rejected")).as("acks the server rejected").isZero();
        assertThat(counter("tidemark.hub.acks", "status", "error")).as("error acks").isZero();
        assertThat(client.queued()).isZero();
    }

    @Test
    @DisplayName("sync_verify is rate-limited per client: a second request within the interval gets error rate_limited, another client is not affected")
    void verifyRateLimit() {
        startServer(hub -> hub.verifyInterval(Duration.ofHours(1)));
        WsTestClient client = hello("c1", Lsn.ZERO);
        WsTestClient other = hello("c2", Lsn.ZERO);
        capture.commit("orders", "a", 1);
        Changes batch = client.nextChanges(1, WAIT).get(0);
        other.nextChanges(1, WAIT);
        client.send(new SyncVerify("c1", batch.lsn(), null));
        assertThat(client.next(SyncVerifyResult.class, WAIT).status()).isEqualTo(VerifyStatus.UP_TO_DATE);

        client.send(new SyncVerify("c1", batch.lsn(), null));
        ErrorMessage limited = client.next(ErrorMessage.class, WAIT);
        assertThat(limited.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(limited.message()).contains("retry in");

        other.send(new SyncVerify("c2", batch.lsn(), null));
        assertThat(other.next(SyncVerifyResult.class, WAIT).status()).isEqualTo(VerifyStatus.UP_TO_DATE);
    }

    @Test
    @DisplayName("client progress is written in batches, with acked LSN, last ack time and connected flag")
    void progressInBatches() {
        startServer(hub -> hub.window(100).progressFlushInterval(Duration.ofMillis(300)));
        WsTestClient client = hello("c1", Lsn.ZERO);
        for (int t = 0; t < 60; t++) {
            capture.commit("orders", "o" + t + "-", 1);
        }
        HubStreamingTest.receiveThrough(client, "c1", capture.position(), true);
        Lsn end = capture.position();
        await().atMost(WAIT).until(() -> changeLog.progress().stream()
                .anyMatch(p -> p.clientId().equals("c1") && p.ackedLsn().equals(end)));
        ClientProgress row = changeLog.progress().stream().filter(p -> p.clientId().equals("c1")).findFirst().orElseThrow();
        assertThat(row.connected()).isTrue();
        assertThat(row.lastAckAt()).isNotNull();
        if (changeLog instanceof InMemoryChangeLog memory) {
            assertThat(memory.saveProgressCalls()).isLessThan(20);
        }
        client.close();
        await().atMost(WAIT).until(() -> changeLog.progress().stream()
                .anyMatch(p -> p.clientId().equals("c1") && !p.connected() && p.ackedLsn().equals(end)));
    }

    @Test
    @DisplayName("a live batch is encoded once and shared by every client at the same position")
    void sharedEncoding() {
        startServer(hub -> hub.window(50));
        List<WsTestClient> clients = List.of(hello("a", Lsn.ZERO), hello("b", Lsn.ZERO), hello("c", Lsn.ZERO));
        List<List<String>> texts = new ArrayList<>();
        clients.forEach(client -> texts.add(new ArrayList<>()));
        // One transaction at a time: each client is at the head and gets it as its own batch.
        for (int t = 0; t < 5; t++) {
            capture.commit("orders", "o" + t + "-", 3);
            for (int c = 0; c < clients.size(); c++) {
                texts.get(c).add(clients.get(c).nextText(WAIT));
            }
        }
        assertThat(texts.get(1)).isEqualTo(texts.get(0));
        assertThat(texts.get(2)).isEqualTo(texts.get(0));
        assertThat(counter("tidemark.hub.live.encodings", "result", "encoded")).isEqualTo(5);
        assertThat(counter("tidemark.hub.live.encodings", "result", "shared")).isEqualTo(10);
    }

    @Test
    @DisplayName("a change-log read failure ends the session with an error, and the server keeps serving others")
    void readFailure() {
        if (!(changeLog instanceof InMemoryChangeLog memory)) {
            return;
        }
        startServer();
        capture.commitUnpublished(TestCapture.updates("orders", "o", 3));
        memory.failReads(new dev.tidemark.server.spi.ChangeLogException("connection refused"));
        WsTestClient failing = hello("failing", Lsn.ZERO);
        ErrorMessage error = failing.next(ErrorMessage.class, WAIT);
        assertThat(error.code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(failing.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.INTERNAL_ERROR);
        memory.failReads(null);
        WsTestClient healthy = hello("healthy", Lsn.ZERO);
        assertThat(ids(List.of(healthy.next(Changes.class, WAIT)))).containsExactly("o0", "o1", "o2");
    }

    @Test
    @DisplayName("a second connection of the same client takes over; the first is closed")
    void newerConnectionSupersedes() {
        startServer();
        WsTestClient first = hello("c1", Lsn.ZERO);
        WsTestClient second = hello("c1", Lsn.ZERO);
        assertThat(first.next(ErrorMessage.class, WAIT).message()).contains("took over");
        assertThat(first.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.NORMAL);
        capture.commit("orders", "o", 1);
        assertThat(second.next(Changes.class, WAIT).data()).hasSize(1);
        Message none = null;
        assertThat(none).isNull();
    }
}
