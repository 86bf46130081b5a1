package dev.tidemark.client.testing;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A real store with scripted faults: an apply that fails in the middle of a chosen batch (the real
 * store rolls it back), or an apply held until the test lets it go. Everything else is passed
 * through unchanged.
 */
public final class FaultyStore implements SyncStore {

    private final SyncStore store;
    private final Map<Lsn, Integer> failures = new ConcurrentHashMap<>();
    private final Map<Lsn, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<Lsn, CountDownLatch> arrivals = new ConcurrentHashMap<>();
    private final AtomicInteger injected = new AtomicInteger();
    private final AtomicInteger applies = new AtomicInteger();
    private volatile int failingApply = -1;
    private volatile int failingApplyAfter;

    public FaultyStore(SyncStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    /** The next apply of the batch ending at {@code batchEnd} fails with a storage failure after {@code afterChanges} changes. */
    public void failOnce(Lsn batchEnd, int afterChanges) {
        failures.put(batchEnd, afterChanges);
    }

    /**
     * The {@code n}-th apply from now (1 is the next one) fails with a storage failure after
     * {@code afterChanges} changes, whichever batch it is: for tests against a real server, where batch
     * ends are not known in advance.
     */
    public void failNthApply(int n, int afterChanges) {
        failingApplyAfter = afterChanges;
        failingApply = applies.get() + n;
    }

    /**
     * The next apply of the batch ending at {@code batchEnd} waits until the returned latch is
     * counted down; {@link #awaitArrival} tells when the applier got there.
     */
    public CountDownLatch hold(Lsn batchEnd) {
        CountDownLatch gate = new CountDownLatch(1);
        gates.put(batchEnd, gate);
        arrivals.put(batchEnd, new CountDownLatch(1));
        return gate;
    }

    /** Waits until the apply of the batch ending at {@code batchEnd} reached its {@link #hold}. */
    public boolean awaitArrival(Lsn batchEnd, long seconds) throws InterruptedException {
        return arrivals.get(batchEnd).await(seconds, TimeUnit.SECONDS);
    }

    /** How many failures were injected. */
    public int injectedFailures() {
        return injected.get();
    }

    @Override
    public ApplyResult apply(BatchHeader header, ChangeSource changes) {
        return apply(header, changes, false);
    }

    @Override
    public boolean canKeepPending() {
        return store.canKeepPending();
    }

    @Override
    public ApplyResult applyKeepingPending(BatchHeader header, ChangeSource changes) {
        return apply(header, changes, true);
    }

    private ApplyResult apply(BatchHeader header, ChangeSource changes, boolean keepPending) {
        CountDownLatch gate = gates.remove(header.lsn());
        if (gate != null) {
            arrivals.get(header.lsn()).countDown();
            try {
                if (!gate.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("a held apply was never let go");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SyncStoreException(StoreErrorCode.STORAGE_FAILURE, "interrupted while held", e);
            }
        }
        Integer failAfter = failures.remove(header.lsn());
        if (applies.incrementAndGet() == failingApply) {
            failAfter = failingApplyAfter;
        }
        if (failAfter == null) {
            return keepPending ? store.applyKeepingPending(header, changes) : store.apply(header, changes);
        }
        injected.incrementAndGet();
        int[] read = {0};
        int failAt = failAfter;
        ChangeSource failing = () -> {
            if (read[0]++ == failAt) {
                throw new SyncStoreException(StoreErrorCode.STORAGE_FAILURE,
                        "injected storage failure after " + failAt + " changes of " + header);
            }
            Change change = changes.next();
            return change;
        };
        return keepPending ? store.applyKeepingPending(header, failing) : store.apply(header, failing);
    }

    @Override
    public Lsn committedLsn() {
        return store.committedLsn();
    }

    @Override
    public long committedChecksum() {
        return store.committedChecksum();
    }

    @Override
    public Optional<String> historyId() {
        return store.historyId();
    }

    @Override
    public Optional<Lsn> pendingLsn() {
        return store.pendingLsn();
    }

    @Override
    public void recordPending(Lsn lsn) {
        store.recordPending(lsn);
    }

    @Override
    public void clearPending() {
        store.clearPending();
    }

    @Override
    public void resetHistory(String historyId) {
        store.resetHistory(historyId);
    }

    @Override
    public Optional<String> get(String entityType, String entityId) {
        return store.get(entityType, entityId);
    }

    @Override
    public long count(String entityType) {
        return store.count(entityType);
    }

    @Override
    public void forEach(String entityType, BiConsumer<String, String> action) {
        store.forEach(entityType, action);
    }

    @Override
    public Optional<String> metadata(String key) {
        return store.metadata(key);
    }

    @Override
    public void putMetadata(String key, String value) {
        java.util.function.BiPredicate<String, String> failing = failingMetadata;
        if (failing != null && failing.test(key, value)) {
            failingMetadata = null;
            injected.incrementAndGet();
            throw new SyncStoreException(StoreErrorCode.STORAGE_FAILURE,
                    "injected failure storing metadata " + key + " (a full disk, say)");
        }
        store.putMetadata(key, value);
    }

    /**
     * The next {@link #putMetadata} whose key and value {@code which} accepts fails with a storage failure, as a
     * full disk would make it fail; nothing is written.
     */
    public void failMetadataOnce(java.util.function.BiPredicate<String, String> which) {
        failingMetadata = requireNonNull(which, "which is null");
    }

    private volatile java.util.function.BiPredicate<String, String> failingMetadata;

    @Override
    public void close() {
        store.close();
    }
}
