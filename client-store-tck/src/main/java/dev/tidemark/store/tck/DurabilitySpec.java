package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.JsonAssert.assertEntity;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.Lsn;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group of tests: Durability across {@code kill -9} of a second JVM applying batches (needs {@link StoreCapability#SHARED_ACROSS_PROCESSES}).
 * Run through the public nested class of the same theme in {@link SyncStoreConformanceKit}.
 */
public abstract class DurabilitySpec extends StoreSpec {

    /** A directory for the child JVM's error output. */
    abstract Path workDirectory();

    /** Extra options for the child JVM. */
    abstract List<String> childJvmOptions();

    /** How many times a child is killed in one test. */
    abstract int killRounds();

    @Test
    @DisplayName("after kill -9 of a JVM applying batches, the reopened store holds every batch it acknowledged,"
            + " exactly the batches up to its committed LSN and none beyond")
    public void survivesKill() throws Exception {
        killRounds(false);
    }

    @Test
    @DisplayName("after kill -9 of a JVM applying batches with applyKeepingPending, the reopened store holds every"
            + " batch it acknowledged, none beyond, and the kept marker (the interruption is detectable)")
    public void survivesKillKeepingTheMarker() throws Exception {
        assumeTrue(store().canKeepPending(), "the store does not keep the pending marker on commit");
        killRounds(true);
    }

    private void killRounds(boolean keep) throws Exception {
        store().close();
        long acknowledged = 0;
        for (int round = 1; round <= killRounds(); round++) {
            acknowledged = runAndKill(round, acknowledged, keep);
            SyncStore store = reopen();
            verify(store, acknowledged, keep);
            acknowledged = KillTestBatches.batchNumber(store.committedLsn());
            store.close();
        }
        reopen();
    }

    /** Starts a child at batch {@code from}, kills it at a random moment, returns the last batch it acknowledged. */
    private long runAndKill(int round, long from, boolean keep) throws IOException, InterruptedException {
        Path errors = workDirectory().resolve("kill-child-" + round + ".err");
        Process child = ChildJvm.start(KillTestChild.class, "256m", childJvmOptions(), harness().config(), errors,
                keep ? new String[] {harness().storeName(), "keep"} : new String[] {harness().storeName()});
        AtomicLong ready = new AtomicLong(-1);
        AtomicLong applied = new AtomicLong(from);
        List<String> odd = new ArrayList<>();
        Thread reader = new Thread(() -> readLines(child, ready, applied, odd), "kill-child-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            long target = from + ThreadLocalRandom.current().nextLong(3, 25);
            await("child JVM reporting batch " + target + " applied")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> applied.get() >= target || !child.isAlive());
            if (!child.isAlive()) {
                fail("the child JVM ended by itself with exit code " + child.exitValue() + "; output " + odd
                        + "; errors:\n" + Files.readString(errors, StandardCharsets.UTF_8));
            }
            assertThat(ready.get()).as("batch the child started after").isEqualTo(from);
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child JVM gone after kill -9").isTrue();
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(odd).as("unexpected child output").isEmpty();
        return applied.get();
    }

    private static void readLines(Process child, AtomicLong ready, AtomicLong applied, List<String> odd) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.matches("applied \\d+")) {
                    applied.accumulateAndGet(Long.parseLong(line.substring(8)), Math::max);
                } else if (line.matches("ready \\d+")) {
                    ready.set(Long.parseLong(line.substring(6)));
                } else if (!isTornByTheKill(line)) {
                    synchronized (odd) {
                        odd.add(line);
                    }
                }
            }
        } catch (IOException e) {
            // the child was killed while we read: its output ends here
        }
    }

    /** The kill can cut the last line short: "appl", "applied ", "applied 1" (of 12). */
    private static boolean isTornByTheKill(String line) {
        return "applied ".startsWith(line) || "ready ".startsWith(line);
    }

    private static void verify(SyncStore store, long acknowledged, boolean keep) {
        long committed = KillTestBatches.batchNumber(store.committedLsn());
        assertThat(committed).as("committed batch after kill -9 (the child had acknowledged %s)", acknowledged)
                .isGreaterThanOrEqualTo(acknowledged);
        assertThat(store.count(KillTestBatches.ROWS_TYPE)).as("rows of batches 1..%s", committed)
                .isEqualTo(committed * KillTestBatches.ROWS);
        for (long k = 1; k <= committed; k++) {
            for (int r = 0; r < KillTestBatches.ROWS; r++) {
                assertEntity(store.get(KillTestBatches.ROWS_TYPE, KillTestBatches.rowId(k, r)),
                        KillTestBatches.expectedRow(k, r, committed));
            }
        }
        assertThat(store.get(KillTestBatches.ROWS_TYPE, KillTestBatches.rowId(committed + 1, 0)))
                .as("a row of the batch after the committed one").isEmpty();
        if (committed > 0) {
            assertEntity(store.get(KillTestBatches.TALLY_TYPE, "last"), "{\"k\":" + committed + "}");
        }
        assertThat(store.committedChecksum()).as("committed checksum").isEqualTo(KillTestBatches.checksumThrough(committed));
        Optional<Lsn> pending = store.pendingLsn();
        if (keep) {
            assertThat(pending).as("the marker kept while applying").contains(Lsn.MAX);
            return;
        }
        assertThat(pending).as("pending marker: none, or the batch being applied when killed")
                .satisfiesAnyOf(p -> assertThat(p).isEmpty(),
                        p -> assertThat(p).contains(KillTestBatches.lsn(committed + 1)));
    }
}
