package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Changes;
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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A connection serves one history. A node that does not capture (a standby) learns of a new history only from
 * the change log; these tests set the hub's periodic history check to an hour, so only the stream's own check
 * can stop it. Before that check, a standby sent the new history's batches on a connection whose {@code welcome}
 * named the old one, and a resync on that connection left the client in the old history with the new one's
 * positions (the chaos suite's two-node finding, seed 20261127).
 */
class NewHistoryHubTest extends HubTestBase {

    @Test
    @DisplayName("a stream stops at a new history: nothing of it is sent, the connection ends with 1013, and the"
            + " client's next hello is welcomed into the new history and told to resync")
    void streamStopsAtNewHistory() throws Exception {
        startServer(hub -> hub.historyCheckInterval(Duration.ofHours(1)));
        WsTestClient client = hello("c1", Lsn.ZERO);
        Lsn before = capture.commit("item", "a", 3);
        Changes first = client.next(Changes.class, WAIT);
        assertThat(first.lsn()).isEqualTo(before);
        ack(client, "c1", first);

        String newHistory = "test-new-" + UUID.randomUUID();
        changeLog.startHistory(newHistory, Lsn.of(before.value() + 0x10000));
        new TestCapture(changeLog, feed).commit("item", "b", 2);

        assertThat(client.closeCode().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(CloseCodes.TRY_AGAIN_LATER);
        assertThat(drain(client)).as("batches sent on the old history's connection after the switch").isEmpty();

        WsTestClient again = track(WsTestClient.connect(uri(null), bearer(token("c1"))));
        again.send(new Hello("c1", before, historyId, Message.PROTOCOL_VERSION,
                List.of(Hello.CAPABILITY_ACK, Hello.CAPABILITY_VERIFY), List.of()));
        assertThat(again.next(Welcome.class, WAIT).historyId()).isEqualTo(newHistory);
        assertThat(again.next(SyncVerifyResult.class, WAIT).status()).isEqualTo(VerifyStatus.RESYNC_REQUIRED);
    }

    @Test
    @DisplayName("a sync_verify answered after a new history began ends the connection instead of judging the"
            + " client's position in the new history")
    void verifyAfterNewHistoryEndsTheConnection() throws Exception {
        startServer(hub -> hub.historyCheckInterval(Duration.ofHours(1)));
        WsTestClient client = hello("c1", Lsn.ZERO);
        Lsn before = capture.commit("item", "a", 3);
        Changes first = client.next(Changes.class, WAIT);
        ack(client, "c1", first);

        // The new history is in the log, but nothing moved the tip: no page is read before the verify.
        changeLog.startHistory("test-new-" + UUID.randomUUID(), Lsn.of(before.value() + 0x10000));
        client.send(new SyncVerify("c1", before, null));

        assertThat(client.closeCode().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(CloseCodes.TRY_AGAIN_LATER);
        assertThat(drain(client)).as("verify answers on the old history's connection").isEmpty();
    }

    @Test
    @DisplayName("a legacy client (no hello, no history) whose stream meets a new history is told resync_required:"
            + " its reconnect could not be checked")
    void legacyClientIsToldToResync() throws Exception {
        startServer(hub -> hub.historyCheckInterval(Duration.ofHours(1)));
        WsTestClient legacy = track(WsTestClient.connect(uri("clientId=legacy&lsn=0/0"), bearer(token("legacy"))));
        Lsn before = capture.commit("item", "a", 3);
        assertThat(legacy.next(Changes.class, WAIT).lsn()).isEqualTo(before);

        changeLog.startHistory("test-new-" + UUID.randomUUID(), Lsn.of(before.value() + 0x10000));
        new TestCapture(changeLog, feed).commit("item", "b", 2);

        dev.tidemark.protocol.ErrorMessage error = legacy.next(dev.tidemark.protocol.ErrorMessage.class, WAIT);
        assertThat(error.code()).isEqualTo(dev.tidemark.protocol.ErrorCode.RESYNC_REQUIRED);
        assertThat(legacy.closeCode().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(CloseCodes.NORMAL);
    }

    /** The messages still queued, as their JSON text. */
    private static List<String> drain(WsTestClient client) {
        List<String> left = new ArrayList<>();
        while (client.queued() > 0) {
            left.add(client.nextText(Duration.ofMillis(1)));
        }
        return left;
    }
}
