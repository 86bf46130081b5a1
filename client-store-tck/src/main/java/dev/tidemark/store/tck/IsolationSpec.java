package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.TckData.header;
import static dev.tidemark.store.tck.TckData.lsn;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.client.spi.ApplyOutcome;
import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The committed position and the data are one: a reader never sees one moved without the other,
 * and {@code forEach} reads one view. Every batch here touches every item, so any reader that
 * looks at the store between two separate commits, or reads it in several pieces, sees a mix.
 */
public abstract class IsolationSpec extends StoreSpec {

    private static final String ITEM = "tck.item";
    private static final String TALLY = "tck.tally";

    /**
     * How long a read started in the middle of an apply may take before the apply goes on without
     * it. A store may make readers wait for a running apply; such a read is then checked when it
     * ends, and the test costs this long once more.
     */
    static final long READ_WAIT_SECONDS = 5;

    /** Batch {@code k}: sets every one of {@code items} items and the tally to {@code k}. */
    private static List<Change> everyItem(long k, int items) {
        List<Change> changes = new ArrayList<>(items + 1);
        for (int i = 0; i < items; i++) {
            changes.add(update(ITEM, "i" + i, "{\"k\":" + k + ",\"i\":" + i + "}"));
        }
        changes.add(update(TALLY, "tally", "{\"k\":" + k + "}"));
        return changes;
    }

    private static ChangeBatch batch(long k, int items) {
        return new ChangeBatch("b" + k, lsn(k - 1), lsn(k), everyItem(k, items));
    }

    /** The kit batch number a position stands for. */
    private static long batchAt(Lsn position) {
        return Long.divideUnsigned(position.value(), 0x100);
    }

    private static long k(String json) {
        return JsonAssert.parse(json).get("k").asLong();
    }

    private long tally() {
        return store().get(TALLY, "tally").map(IsolationSpec::k).orElse(0L);
    }

    /** What a reader sees of the store: position, checksum, tally and every item's k. */
    private record Seen(Lsn position, long checksum, long tally, Map<String, Long> items) {}

    private Seen seen() {
        Map<String, Long> items = new TreeMap<>();
        store().forEach(ITEM, (id, data) -> items.put(id, k(data)));
        return new Seen(store().committedLsn(), store().committedChecksum(), tally(), items);
    }

    @Test
    @DisplayName("a reader in the middle of an apply, and after its last change was pulled, sees the state before"
            + " the batch: neither its data nor its position")
    public void readerInTheMiddleSeesTheStateBefore() throws Exception {
        int items = 5000; // more than a store queues before it writes, so that half the batch reached the storage
        applied(batch(1, items));
        Seen before = seen();
        List<Change> changes = everyItem(2, items);
        ExecutorService reader = Executors.newSingleThreadExecutor();
        List<Future<Seen>> reads = new ArrayList<>();
        List<Boolean> endedDuringApply = new ArrayList<>();
        try {
            ChangeSource source = new ChangeSource() {
                private int next;

                @Override
                public Change next() {
                    if (next == changes.size() / 2 || next == changes.size()) {
                        Future<Seen> read = reader.submit(IsolationSpec.this::seen);
                        reads.add(read);
                        endedDuringApply.add(waitBriefly(read));
                    }
                    return next < changes.size() ? changes.get(next++) : null;
                }
            };
            assertThat(store().apply(header(1, 2), source).outcome()).isEqualTo(ApplyOutcome.APPLIED);
            Seen after = seen();
            assertThat(after.tally()).isEqualTo(2);
            assertThat(reads).as("reads started during the apply").hasSizeGreaterThanOrEqualTo(2);
            for (int r = 0; r < reads.size(); r++) {
                Seen read = reads.get(r).get(60, TimeUnit.SECONDS);
                if (endedDuringApply.get(r)) {
                    assertThat(read).as("what a reader saw while the batch was being applied (read %s): the store before"
                            + " the batch; a position that moved, or any of the batch's data, means the position is"
                            + " committed apart from the data or readers see uncommitted writes", r + 1)
                            .isEqualTo(before);
                } else {
                    assertThat(read).as("what a reader that waited for the apply saw (read %s): the whole state"
                            + " before or after the batch", r + 1).isIn(before, after);
                }
            }
        } finally {
            reader.shutdownNow();
        }
    }

    /** Waits up to {@link #READ_WAIT_SECONDS} for {@code read}; true when it ended (and so ran during the apply). */
    private static boolean waitBriefly(Future<?> read) {
        try {
            read.get(READ_WAIT_SECONDS, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // checked, and reported, after the apply
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static final int BATCHES = 300;
    private static final int ITEMS = 4;

    @Test
    @DisplayName("readers comparing the committed position with the data, in both orders, while 300 batches apply,"
            + " never see data newer than the position or a position newer than the data")
    public void positionAndDataMoveTogether() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        try {
            CountDownLatch started = new CountDownLatch(3);
            List<Future<?>> readers = new ArrayList<>();
            readers.add(threads.submit(() -> {
                started.countDown();
                do {
                    long p1 = batchAt(store().committedLsn());
                    long data = tally();
                    long p2 = batchAt(store().committedLsn());
                    if (data < p1) {
                        violations.add("position " + p1 + " was committed before its data: the data still read " + data);
                    } else if (data > p2) {
                        violations.add("data of batch " + data + " was visible while the position still read " + p2);
                    }
                    reads.incrementAndGet();
                } while (writing.get());
                return null;
            }));
            readers.add(threads.submit(() -> {
                started.countDown();
                do {
                    long d1 = tally();
                    long position = batchAt(store().committedLsn());
                    long d2 = tally();
                    if (position < d1) {
                        violations.add("data of batch " + d1 + " was visible before its position: the position then read "
                                + position);
                    } else if (position > d2) {
                        violations.add("position " + position + " was visible while the data still read " + d2);
                    }
                    reads.incrementAndGet();
                } while (writing.get());
                return null;
            }));
            readers.add(threads.submit(() -> {
                started.countDown();
                do {
                    long p1 = batchAt(store().committedLsn());
                    Map<String, Long> items = new TreeMap<>();
                    store().forEach(ITEM, (id, data) -> items.put(id, k(data)));
                    long p2 = batchAt(store().committedLsn());
                    List<Long> distinct = items.values().stream().distinct().toList();
                    if (distinct.size() > 1 || (!items.isEmpty() && items.size() != ITEMS)) {
                        violations.add("forEach saw a part of a batch: " + items);
                    } else if (!distinct.isEmpty() && (distinct.get(0) < p1 || distinct.get(0) > p2)) {
                        violations.add("forEach saw batch " + distinct.get(0) + " between positions " + p1 + " and " + p2);
                    }
                    reads.incrementAndGet();
                } while (writing.get());
                return null;
            }));
            Future<?> writer = threads.submit(() -> {
                started.await();
                try {
                    for (int k = 1; k <= BATCHES; k++) {
                        applied(batch(k, ITEMS));
                    }
                } finally {
                    writing.set(false);
                }
                return null;
            });
            writer.get(300, TimeUnit.SECONDS);
            for (Future<?> reader : readers) {
                reader.get(60, TimeUnit.SECONDS);
            }
        } finally {
            writing.set(false);
            threads.shutdownNow();
        }
        assertThat(violations).as("%s times in %s reads, readers saw the position and the data apart; the first: %s",
                violations.size(), reads.get(), violations.stream().limit(3).toList()).isEmpty();
        assertThat(store().committedLsn()).isEqualTo(lsn(BATCHES));
        assertThat(tally()).isEqualTo(BATCHES);
    }

    @Test
    @DisplayName("forEach reads one view: a batch that commits while forEach runs, touching every entity,"
            + " is seen entirely or not at all")
    public void forEachIsOneView() throws Exception {
        int items = 3000;
        applied(batch(1, items));
        ExecutorService writerThread = Executors.newSingleThreadExecutor();
        AtomicReference<Future<?>> write = new AtomicReference<>();
        Map<String, Long> visited = new TreeMap<>();
        List<String> repeated = new ArrayList<>();
        try {
            store().forEach(ITEM, (id, data) -> {
                if (write.get() == null) {
                    Future<?> batch2 = writerThread.submit(() -> applied(batch(2, items)));
                    write.set(batch2);
                    waitBriefly(batch2); // a store may make the write wait for forEach to end: allowed
                }
                if (visited.put(id, k(data)) != null) {
                    repeated.add(id);
                }
            });
            write.get().get(120, TimeUnit.SECONDS);
        } finally {
            writerThread.shutdownNow();
        }
        assertThat(repeated).as("entities forEach visited twice").isEmpty();
        assertThat(visited).as("entities forEach visited").hasSize(items);
        Map<Long, Long> byBatch = new TreeMap<>();
        visited.values().forEach(k -> byBatch.merge(k, 1L, Long::sum));
        assertThat(byBatch.keySet()).as("batches forEach saw (entities per batch: %s); a mix means it read in"
                + " several transactions, such as pages", byBatch).hasSize(1);
        assertThat(seen().items().values()).as("every item after batch 2").containsOnly(2L);
    }
}
