package dev.tidemark.benchmarks.store;

import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.recovery.InterruptedApply;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Timed runs on fresh storage. Two contenders run <em>paired</em>: batch by batch in lockstep,
 * alternating which goes first, each timed on its own. On a shared machine whose disk and CPUs are
 * busy with other work, both then meet the same conditions, and their ratio stays meaningful.
 */
final class Measure {

    /** What is measured: a store, or a baseline. */
    interface Contender {
        RowWriter open(String run) throws Exception;
    }

    private final Target target;
    private final AtomicInteger runs = new AtomicInteger();

    Measure(Target target) {
        this.target = target;
    }

    /**
     * The store, applying each batch; with {@code pending}, with the pending marker as the client keeps it: a store
     * that can keep the marker gets it once, then commits each batch leaving it in place; any other store gets it
     * before each batch (one small durable commit each).
     */
    Contender store(boolean pending) {
        return run -> {
            SyncStore store = SyncStores.open(target.storeName(), target.newStoreConfig(run));
            boolean keep = pending && store.canKeepPending();
            if (keep) {
                store.recordPending(InterruptedApply.KEPT_MARKER);
            }
            return new RowWriter() {
                @Override
                public void write(ChangeBatch batch) {
                    if (pending && !keep) {
                        store.recordPending(batch.lsn());
                    }
                    ApplyResult result = keep
                            ? store.applyKeepingPending(BatchHeader.of(batch), ChangeSource.of(batch.changes()))
                            : store.apply(batch);
                    if (!result.applied()) {
                        throw new IllegalStateException("benchmark batch not applied: " + result);
                    }
                }

                @Override
                public void close() {
                    store.close();
                }
            };
        };
    }

    /** Plain JDBC batch inserts into a table laid out as {@code layout}. */
    Contender baseline(Target.Layout layout) {
        return run -> target.newBaseline(run, layout);
    }

    /** The same inserts through jOOQ. */
    Contender jooq() {
        return target::newJooqBaseline;
    }

    /** Changes per second of {@code a} and of {@code b}, run in lockstep over {@code workload}. */
    double[] paired(Workload workload, Contender a, Contender b) throws Exception {
        String runA = "r" + runs.incrementAndGet();
        String runB = "r" + runs.incrementAndGet();
        long nanosA = 0;
        long nanosB = 0;
        try (RowWriter writerA = a.open(runA); RowWriter writerB = b.open(runB)) {
            int i = 0;
            for (ChangeBatch batch : workload.batches()) {
                if (i++ % 2 == 0) {
                    nanosA += timed(writerA, batch);
                    nanosB += timed(writerB, batch);
                } else {
                    nanosB += timed(writerB, batch);
                    nanosA += timed(writerA, batch);
                }
            }
        } finally {
            target.drop(runA);
            target.drop(runB);
        }
        return new double[] {rate(workload.changes(), nanosA), rate(workload.changes(), nanosB)};
    }

    private static long timed(RowWriter writer, ChangeBatch batch) throws Exception {
        long start = System.nanoTime();
        writer.write(batch);
        return System.nanoTime() - start;
    }

    /** Microseconds per {@code recordPending} call, over {@code calls} calls on a fresh store. */
    double recordPendingMicros(int calls) throws Exception {
        String run = "r" + runs.incrementAndGet();
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
