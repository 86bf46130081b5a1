package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.hub.testing.WsTestClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A slow client does not grow the server's memory nor slow the others")
class BackpressureTest extends HubTestBase {

    private static final int HIGH_WATER = 128 * 1024;
    private static final long BATCH_BYTES = 64 * 1024;
    private static final long LIVE_BUFFER = 1024 * 1024;

    private List<Change> transaction(int t) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            changes.add(Change.update("docs", "d" + t + "-" + i, "{\"body\":\"" + "y".repeat(900) + "\"}", Instant.now()));
        }
        return changes;
    }

    @Test
    @DisplayName("a stalled client without acks holds at most a page and one outbound buffer; a fast client gets everything")
    void stalledLegacyClientIsBounded() {
        startServer(hub -> hub.batchMaxBytes(BATCH_BYTES).batchMaxChanges(200).liveBufferBytes(LIVE_BUFFER).window(8),
                http -> http.writeBufferHighWaterMark(HIGH_WATER).writeBufferLowWaterMark(HIGH_WATER / 2),
                dev.tidemark.server.auth.AuthConfig.withSecret(SECRET));
        WsTestClient stalled = track(WsTestClient.connect(uri("clientId=stalled&lsn=0/0"), bearer(token("stalled"))));
        stalled.pauseReading();
        WsTestClient fast = hello("fast", Lsn.ZERO);

        int transactions = 600; // about 12 MB of change data
        for (int t = 0; t < transactions; t++) {
            capture.commit(transaction(t));
        }
        Lsn end = capture.position();
        List<Changes> received = HubStreamingTest.receiveThrough(fast, "fast", end, true);
        assertThat(ids(received)).hasSize(transactions * 20);

        await().atMost(WAIT).until(() -> stats("stalled").pendingOutboundBytes() > 0);
        SessionStats stalledStats = stats("stalled");
        // Kernel socket buffers take some; the server holds no more than its high-water mark plus one message.
        assertThat(stalledStats.pendingOutboundBytes()).isLessThanOrEqualTo(HIGH_WATER + 2 * BATCH_BYTES);
        assertThat(stalledStats.pendingMessages()).isLessThanOrEqualTo(201);
        assertThat(stalledStats.sent()).isLessThan(Lsn.of(end.value() / 2));
        assertThat(meters.get("tidemark.hub.live.buffer.bytes").gauge().value()).isLessThanOrEqualTo(LIVE_BUFFER);

        stalled.resumeReading();
        List<Changes> late = new ArrayList<>();
        Lsn at = Lsn.ZERO;
        while (at.isBefore(end)) {
            Changes batch = stalled.next(Changes.class, WAIT);
            late.add(batch);
            at = batch.lsn();
        }
        assertThat(ids(late)).isEqualTo(ids(received));
        assertChained(late, Lsn.ZERO);
    }

    @Test
    @DisplayName("a client that stops acking gets a window of batches and no more, while another keeps streaming")
    void stalledAckingClientStopsAtTheWindow() {
        startServer(hub -> hub.window(2));
        WsTestClient stalled = hello("stalled", Lsn.ZERO);
        WsTestClient fast = hello("fast", Lsn.ZERO);
        for (int t = 0; t < 50; t++) {
            capture.commit(transaction(t));
        }
        List<Changes> received = HubStreamingTest.receiveThrough(fast, "fast", capture.position(), true);
        assertThat(ids(received)).hasSize(50 * 20);
        assertThat(stats("stalled").unackedBatches()).isEqualTo(2);
        assertThat(stats("stalled").pendingMessages()).isZero();
        assertThat(stalled.nextChanges(2, WAIT)).hasSize(2);
        assertThat(stalled.queued()).isZero();
    }
}
