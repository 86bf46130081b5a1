package dev.tidemark.app.e2e;

import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.protocol.Lsn;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/** A real store that fails one chosen apply (the Nth), after reading part of its changes. */
final class FailingStore implements SyncStore {

    private final SyncStore delegate;
    private final int failingApply;
    private final AtomicInteger applies = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();

    FailingStore(SyncStore delegate, int failingApply) {
        this.delegate = delegate;
        this.failingApply = failingApply;
    }

    int failures() {
        return failures.get();
    }

    @Override
    public ApplyResult apply(BatchHeader header, ChangeSource changes) {
        if (applies.incrementAndGet() == failingApply) {
            failures.incrementAndGet();
            // Let the store write part of the batch, then fail: nothing of it may stay.
            return delegate.apply(header, () -> {
                throw new SyncStoreException(StoreErrorCode.STORAGE_FAILURE, "injected failure in " + header);
            });
        }
        return delegate.apply(header, changes);
    }

    @Override
    public Lsn committedLsn() {
        return delegate.committedLsn();
    }

    @Override
    public long committedChecksum() {
        return delegate.committedChecksum();
    }

    @Override
    public Optional<String> historyId() {
        return delegate.historyId();
    }

    @Override
    public Optional<Lsn> pendingLsn() {
        return delegate.pendingLsn();
    }

    @Override
    public void recordPending(Lsn lsn) {
        delegate.recordPending(lsn);
    }

    @Override
    public void clearPending() {
        delegate.clearPending();
    }

    @Override
    public void resetHistory(String historyId) {
        delegate.resetHistory(historyId);
    }

    @Override
    public Optional<String> get(String entityType, String entityId) {
        return delegate.get(entityType, entityId);
    }

    @Override
    public long count(String entityType) {
        return delegate.count(entityType);
    }

    @Override
    public void forEach(String entityType, BiConsumer<String, String> action) {
        delegate.forEach(entityType, action);
    }

    @Override
    public Optional<String> metadata(String key) {
        return delegate.metadata(key);
    }

    @Override
    public void putMetadata(String key, String value) {
        delegate.putMetadata(key, value);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
