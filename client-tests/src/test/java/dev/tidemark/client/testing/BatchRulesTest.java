package dev.tidemark.client.testing;

import static dev.tidemark.client.testing.TestClients.client;
import static dev.tidemark.client.testing.TestClients.sqlite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncError;
import dev.tidemark.protocol.AckStatus;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SyncAck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client rules for a batch (protocol.md, "Applying a batch"), driven message by message. */
@DisplayName("A batch the client receives")
class BatchRulesTest {

    private static final Lsn L1 = Lsn.parse("0/100");
    private static final Lsn L2 = Lsn.parse("0/200");
    private static final Lsn L3 = Lsn.parse("0/300");
    private static final Lsn L5 = Lsn.parse("0/500");
    private static final Lsn L6 = Lsn.parse("0/600");

    @TempDir
    Path dir;

    private ScriptedServer server;
    private SyncStore store;
    private TidemarkClient client;
    private final TestClients.Errors errors = new TestClients.Errors();
    private final Workload workload = Workload.standard(7);

    @BeforeEach
    void connect() {
        server = ScriptedServer.builder().streaming(false).startLsn(Lsn.ZERO).start();
        store = sqlite(dir.resolve("client.db"));
        client = client(server, store).listener(errors).build().start();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.status().state() == ClientState.CONNECTED);
    }

    @AfterEach
    void close() {
        client.close();
        store.close();
        server.close();
    }

    private SyncAck nextAck(int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> server.acks().size() >= count);
        assertThat(server.acks()).hasSize(count);
        return server.acks().get(count - 1);
    }

    private ChangeBatch batch(String id, Lsn prev, Lsn lsn, int changes) {
        return new ChangeBatch(id, prev, lsn, workload.transaction(changes));
    }

    @Test
    @DisplayName("is applied when it starts at the committed LSN, then acknowledged success at its LSN")
    void applied() {
        ChangeBatch batch = batch("b1", Lsn.ZERO, L1, 10);
        server.send(Changes.of(batch));
        SyncAck ack = nextAck(1);
        assertThat(ack.status()).isEqualTo(AckStatus.SUCCESS);
        assertThat(ack.lsn()).isEqualTo(L1);
        assertThat(ack.batchId()).isEqualTo("b1");
        assertThat(ack.clientId()).isEqualTo(client.clientId());
        assertThat(store.committedLsn()).isEqualTo(L1);
        assertThat(store.committedChecksum()).isEqualTo(Checksum.of(batch.changes()));
    }

    @Test
    @DisplayName("with a checksum that does not match its data is not applied and is acknowledged error at the committed LSN")
    void checksumMismatch() {
        ChangeBatch batch = batch("b1", Lsn.ZERO, L1, 10);
        Changes good = Changes.of(batch);
        server.send(new Changes("b1", Lsn.ZERO, L1, good.checksum() ^ 1, null, null, batch.changes()));
        SyncAck ack = nextAck(1);
        assertThat(ack.status()).isEqualTo(AckStatus.ERROR);
        assertThat(ack.lsn()).isEqualTo(Lsn.ZERO);
        assertThat(ack.batchId()).isEqualTo("b1");
        assertThat(ack.error()).contains("checksum");
        assertThat(store.committedLsn()).isEqualTo(Lsn.ZERO);
        assertThat(store.committedChecksum()).isZero();
        await().until(() -> errors.kinds().contains(SyncError.Kind.CHECKSUM_MISMATCH));

        server.send(good);
        assertThat(nextAck(2).status()).isEqualTo(AckStatus.SUCCESS);
        assertThat(store.committedLsn()).isEqualTo(L1);
    }

    @Test
    @DisplayName("that was applied before is acknowledged success and not applied again")
    void duplicate() {
        ChangeBatch first = batch("b1", Lsn.ZERO, L1, 10);
        server.send(Changes.of(first));
        server.send(Changes.of(batch("b2", L1, L2, 10)));
        assertThat(nextAck(2).lsn()).isEqualTo(L2);
        long checksum = store.committedChecksum();

        server.send(Changes.of(new ChangeBatch("b1-again", Lsn.ZERO, L1, first.changes())));
        SyncAck ack = nextAck(3);
        assertThat(ack.status()).isEqualTo(AckStatus.SUCCESS);
        assertThat(ack.lsn()).isEqualTo(L1);
        assertThat(ack.batchId()).isEqualTo("b1-again");
        assertThat(store.committedLsn()).isEqualTo(L2);
        assertThat(store.committedChecksum()).isEqualTo(checksum);
    }

    @Test
    @DisplayName("that leaves a gap after the committed LSN is refused and acknowledged error at the committed LSN")
    void gap() {
        server.send(Changes.of(batch("b1", Lsn.ZERO, L1, 5)));
        nextAck(1);
        server.send(Changes.of(batch("b6", L5, L6, 5)));
        SyncAck ack = nextAck(2);
        assertThat(ack.status()).isEqualTo(AckStatus.ERROR);
        assertThat(ack.lsn()).isEqualTo(L1);
        assertThat(ack.error()).contains("does not start at the store's committed LSN 0/100");
        assertThat(store.committedLsn()).isEqualTo(L1);
        await().until(() -> errors.kinds().contains(SyncError.Kind.GAP));
    }

    @Test
    @DisplayName("that overlaps changes already applied is refused like a gap")
    void overlap() {
        server.send(Changes.of(batch("b1", Lsn.ZERO, L2, 5)));
        nextAck(1);
        server.send(Changes.of(batch("b13", L1, L3, 5)));
        SyncAck ack = nextAck(2);
        assertThat(ack.status()).isEqualTo(AckStatus.ERROR);
        assertThat(ack.lsn()).isEqualTo(L2);
        assertThat(store.committedLsn()).isEqualTo(L2);
    }

    @Test
    @DisplayName("in parts is applied in one store transaction after its last part, and acknowledged once")
    void parts() {
        List<Change> changes = workload.transaction(30);
        server.send(Changes.part("big", Lsn.ZERO, L1, 1, false, changes.subList(0, 10)));
        server.send(Changes.part("big", Lsn.ZERO, L1, 2, false, changes.subList(10, 20)));
        server.send(Changes.part("big", Lsn.ZERO, L1, 3, true, changes.subList(20, 30)));
        SyncAck ack = nextAck(1);
        assertThat(ack.status()).isEqualTo(AckStatus.SUCCESS);
        assertThat(ack.lsn()).isEqualTo(L1);
        assertThat(store.committedChecksum()).isEqualTo(Checksum.of(changes));
        assertThat(ExpectedState.of(changes).differencesFrom(store)).isEmpty();
    }

    @Test
    @DisplayName("in parts whose third part fails its checksum is rolled back, acknowledged error once, and its remaining parts skipped")
    void partWithBadChecksum() {
        List<Change> changes = workload.transaction(40);
        server.send(Changes.part("big", Lsn.ZERO, L1, 1, false, changes.subList(0, 10)));
        server.send(Changes.part("big", Lsn.ZERO, L1, 2, false, changes.subList(10, 20)));
        Changes third = Changes.part("big", Lsn.ZERO, L1, 3, false, changes.subList(20, 30));
        server.send(new Changes("big", Lsn.ZERO, L1, third.checksum() + 1, 3, false, third.data()));
        server.send(Changes.part("big", Lsn.ZERO, L1, 4, true, changes.subList(30, 40)));
        SyncAck ack = nextAck(1);
        assertThat(ack.status()).isEqualTo(AckStatus.ERROR);
        assertThat(ack.lsn()).isEqualTo(Lsn.ZERO);
        assertThat(ack.error()).contains("part 3", "checksum");
        assertThat(store.committedLsn()).isEqualTo(Lsn.ZERO);
        assertThat(store.count("todo") + store.count("sales.orders")).isZero();

        ChangeBatch next = batch("b2", Lsn.ZERO, L2, 5);
        server.send(Changes.of(next));
        SyncAck second = nextAck(2);
        assertThat(second.status()).isEqualTo(AckStatus.SUCCESS);
        assertThat(second.lsn()).isEqualTo(L2);
        assertThat(store.committedChecksum()).isEqualTo(Checksum.of(next.changes()));
    }

    @Test
    @DisplayName("as a part without the parts before it is refused")
    void partOutOfOrder() {
        server.send(Changes.part("big", Lsn.ZERO, L1, 2, true, workload.transaction(3)));
        SyncAck ack = nextAck(1);
        assertThat(ack.status()).isEqualTo(AckStatus.ERROR);
        assertThat(ack.error()).contains("without the parts before it");
        assertThat(store.committedLsn()).isEqualTo(Lsn.ZERO);
    }

    @Test
    @DisplayName("that is not valid protocol is answered with an error message and the connection stays")
    void malformed() {
        server.sendRaw("{\"type\":\"changes\",\"batchId\":\"x\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> !server.messages(ErrorMessage.class).isEmpty());
        assertThat(server.messages(ErrorMessage.class).get(0).code()).isEqualTo(ErrorCode.MISSING_FIELD);
        await().until(() -> errors.kinds().contains(SyncError.Kind.PROTOCOL));

        server.send(Changes.of(batch("b1", Lsn.ZERO, L1, 5)));
        assertThat(nextAck(1).status()).isEqualTo(AckStatus.SUCCESS);
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    @DisplayName("error messages from the server are reported to listeners")
    void serverError() {
        server.send(new ErrorMessage(ErrorCode.ACK_OUT_OF_RANGE, "ack at 0/900 beyond 0/100"));
        await().atMost(Duration.ofSeconds(10)).until(() -> errors.kinds().contains(SyncError.Kind.SERVER_ERROR));
        assertThat(errors.seen).filteredOn(error -> error.kind() == SyncError.Kind.SERVER_ERROR)
                .singleElement().satisfies(error -> assertThat(error.message()).contains("ack_out_of_range"));
        assertThat(client.status().state()).isEqualTo(ClientState.CONNECTED);
    }
}
