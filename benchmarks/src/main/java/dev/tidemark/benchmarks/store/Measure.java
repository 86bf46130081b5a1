package dev.tidemark.benchmarks.store;

import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import java.util.concurrent.atomic.AtomicInteger;

/** One timed run: a fresh store or baseline, the whole workload, changes per second. */
final class Measure {

    private final Target target;
    private final AtomicInteger runs = new AtomicInteger();

    Measure(Target target) {
        this.target = target;
    }

    private String nextRun() {
        return "r" + runs.incrementAndGet();
    }

    /** Applies every batch through the store; with {@code pending}, records the marker before each, as the client does. */
    double store(Workload workload, boolean pending) throws Exception {
        String run = nextRun();
        try (SyncStore store = SyncStores.open(target.storeName(), target.newStoreConfig(run))) {
            long start = System.nanoTime();
            for (ChangeBatch batch : workload.batches()) {
                if (pending) {
                    store.recordPending(batch.lsn());
                }
                ApplyResult result = store.apply(batch);
                if (!result.applied()) {
                    throw new IllegalStateException("benchmark batch not applied: " + result);
                }
            }
            return rate(workload.changes(), System.nanoTime() - start);
        } finally {
            target.drop(run);
        }
    }

    /** Writes every batch through plain JDBC inserts. */
    double baseline(Workload workload, Target.Layout layout) throws Exception {
        String run = nextRun();
        try (RowWriter writer = target.newBaseline(run, layout)) {
            return write(writer, workload);
        } finally {
            target.drop(run);
        }
    }

    /** Writes every batch through jOOQ's batch API. */
    double jooq(Workload workload) throws Exception {
        String run = nextRun();
        try (RowWriter writer = target.newJooqBaseline(run)) {
            return write(writer, workload);
        } finally {
            target.drop(run);
        }
    }

    private static double write(RowWriter writer, Workload workload) throws Exception {
        long start = System.nanoTime();
        for (ChangeBatch batch : workload.batches()) {
            writer.write(batch);
        }
        return rate(workload.changes(), System.nanoTime() - start);
    }

    /** Microseconds per {@code recordPending} call, over {@code calls} calls on a fresh store. */
    double recordPendingMicros(int calls) throws Exception {
        String run = nextRun();
        try (SyncStore store = SyncStores.open(target.storeName(), target.newStoreConfig(run))) {
            long start = System.nanoTime();
            for (int i = 1; i <= calls; i++) {
                store.recordPending(Lsn.of(i));
            }
            return (System.nanoTime() - start) / 1e3 / calls;
        } finally {
            target.drop(run);
        }
    }

    private static double rate(long changes, long nanos) {
        return changes / (nanos / 1e9);
    }
}
