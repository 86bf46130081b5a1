package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.TckData.lsn;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group of tests: Readers on other threads while a batch applies.
 * Run through the public nested class of the same theme in {@link SyncStoreConformanceKit}.
 */
public abstract class ConcurrencySpec extends StoreSpec {

    private static final int BATCHES = 150;
    private static final int ITEMS_PER_BATCH = 4;

    /** Batch k adds items k/0..k/3 and sets the tally to k, in one step. */
    private static ChangeBatch batch(int k) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < ITEMS_PER_BATCH; i++) {
            changes.add(update("tck.item", k + "/" + i, "{\"k\":" + k + "}"));
        }
        changes.add(update("tck.tally", "tally", "{\"k\":" + k + "}"));
        return new ChangeBatch("b" + k, lsn(k - 1), lsn(k), changes);
    }

    private long tally() {
        return store().get("tck.tally", "tally").map(json -> JsonAssert.parse(json).get("k").asLong()).orElse(0L);
    }

    @Test
    @DisplayName("readers running while batches apply see whole batches only, and never fail")
    public void readersSeeWholeBatches() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            AtomicBoolean writing = new AtomicBoolean(true);
            CountDownLatch readersStarted = new CountDownLatch(2);
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                boolean useForEach = r == 1;
                readers.add(threads.submit(() -> {
                    readersStarted.countDown();
                    int reads = 0;
                    Lsn lastSeen = Lsn.ZERO;
                    do {
                        long before = tally();
                        long[] items = {0};
                        if (useForEach) {
                            store().forEach("tck.item", (id, data) -> items[0]++);
                        } else {
                            items[0] = store().count("tck.item");
                        }
                        long after = tally();
                        assertThat(items[0]).as("items seen between tallies %s and %s", before, after)
                                .isBetween(before * ITEMS_PER_BATCH, after * ITEMS_PER_BATCH);
                        Lsn committed = store().committedLsn();
                        assertThat(committed).as("committed LSN never moves back").isGreaterThanOrEqualTo(lastSeen);
                        lastSeen = committed;
                        reads++;
                    } while (writing.get());
                    return reads;
                }));
            }
            Future<?> writer = threads.submit(() -> {
                readersStarted.await();
                try {
                    for (int k = 1; k <= BATCHES; k++) {
                        applied(batch(k));
                    }
                } finally {
                    writing.set(false);
                }
                return null;
            });

            writer.get(120, TimeUnit.SECONDS);
            for (Future<Integer> reader : readers) {
                assertThat(reader.get(30, TimeUnit.SECONDS)).as("reads done").isPositive();
            }
            assertThat(store().count("tck.item")).isEqualTo((long) BATCHES * ITEMS_PER_BATCH);
            assertThat(tally()).isEqualTo(BATCHES);
        } finally {
            threads.shutdownNow();
        }
    }
}
