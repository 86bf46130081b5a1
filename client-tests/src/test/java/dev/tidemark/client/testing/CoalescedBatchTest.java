package dev.tidemark.client.testing;

import static dev.tidemark.client.testing.TestClients.client;
import static dev.tidemark.client.testing.TestClients.sqlite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.status.AppliedBatch;
import dev.tidemark.client.status.SyncListener;
import dev.tidemark.protocol.AckStatus;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SyncAck;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A batch of several whole source transactions (coalesced by the server)")
class CoalescedBatchTest {

    private static final String ACCOUNT = "account";
    private static final int ACCOUNTS = 10;
    private static final long TOTAL = ACCOUNTS * 100L;
    private static final Instant TIME = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path dir;

    private ScriptedServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** Transfers between accounts: each transaction debits one and credits another, so the total is kept per transaction. */
    private static List<List<Change>> transfers(int count, long seed) {
        long[] balances = new long[ACCOUNTS];
        List<List<Change>> transactions = new ArrayList<>();
        List<Change> opening = new ArrayList<>();
        for (int a = 0; a < ACCOUNTS; a++) {
            balances[a] = 100;
            opening.add(account(a, balances[a]));
        }
        transactions.add(opening);
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            int from = random.nextInt(ACCOUNTS);
            int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
            long amount = 1 + random.nextInt(20);
            balances[from] -= amount;
            balances[to] += amount;
            transactions.add(List.of(account(from, balances[from]), account(to, balances[to])));
        }
        return transactions;
    }

    private static Change account(int id, long balance) {
        return Change.update(ACCOUNT, Integer.toString(id), "{\"balance\":" + balance + "}", TIME);
    }

    @Test
    @DisplayName("is applied in one store transaction: a reader never sees half a source transaction; acks and checksums are exact")
    void readerNeverSeesHalfATransaction() throws Exception {
        server = ScriptedServer.builder().batchMaxChanges(41).start();
        List<List<Change>> transfers = transfers(1_500, 7);
        server.history().appendAll(transfers);
        Lsn head = server.history().head();
        try (SyncStore store = sqlite(dir.resolve("client.db"))) {
            List<String> torn = new CopyOnWriteArrayList<>();
            AtomicBoolean reading = new AtomicBoolean(true);
            AtomicLong views = new AtomicLong();
            Thread reader = new Thread(() -> {
                while (reading.get()) {
                    long[] sum = {0};
                    int[] count = {0};
                    store.forEach(ACCOUNT, (id, data) -> {
                        count[0]++;
                        sum[0] += Long.parseLong(data.replaceAll("[^0-9-]", ""));
                    });
                    views.incrementAndGet();
                    if (count[0] != 0 && (count[0] != ACCOUNTS || sum[0] != TOTAL)) {
                        torn.add(count[0] + " accounts holding " + sum[0]);
                    }
                }
            }, "reader");
            List<AppliedBatch> applied = new CopyOnWriteArrayList<>();
            reader.start();
            try (TidemarkClient client = client(server, store).listener(new SyncListener() {
                @Override
                public void onBatchApplied(AppliedBatch batch) {
                    applied.add(batch);
                }
            }).build().start()) {
                client.caughtUp().get(60, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> server.highestSuccessAck().orElse(Lsn.ZERO).equals(head));
            } finally {
                reading.set(false);
                reader.join(10_000);
            }
            assertThat(torn).as("views of the accounts that were not at a transaction boundary").isEmpty();
            assertThat(views.get()).as("views read while syncing").isPositive();
            // 20 transfers of 2 changes fit in one batch of at most 41: several source transactions per batch
            assertThat(applied).as("batches applied").hasSizeLessThan(transfers.size() / 10);
            assertThat(applied).extracting(AppliedBatch::changes).allMatch(changes -> changes <= 41);
            List<SyncAck> successes = server.acks().stream().filter(ack -> ack.status() == AckStatus.SUCCESS).toList();
            assertThat(successes).as("success acks").isNotEmpty()
                    .allSatisfy(ack -> assertThat(server.history().isBoundary(ack.lsn())).as("ack at %s", ack.lsn()).isTrue());
            assertThat(successes).extracting(SyncAck::lsn).isSorted().doesNotHaveDuplicates();
            assertThat(successes.get(successes.size() - 1).lsn()).isEqualTo(head);
            assertThat(store.committedLsn()).isEqualTo(head);
            assertThat(store.committedChecksum()).isEqualTo(server.history().checksumUpTo(head));
            assertThat(ExpectedState.of(server.history().changesUpTo(head)).differencesFrom(store)).isEmpty();
            assertThat(server.violations()).isEmpty();
        }
    }
}
