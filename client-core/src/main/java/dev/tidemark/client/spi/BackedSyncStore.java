package dev.tidemark.client.spi;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.EntityData;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.ProtocolException;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The {@link SyncStore} every store is: the rules, owned once, over a plugin's {@link StoreBackend}.
 * It checks arguments and the closed state, decides duplicate / gap / apply, keeps the running
 * checksum, checks each change's data, and runs the batch through one {@link BatchTransaction}.
 * Writes and {@link #close()} take one lock, so a close waits for a running write to end.
 */
final class BackedSyncStore implements SyncStore {

    static final int MAX_METADATA_KEY_LENGTH = 200;

    private final String name;
    private final StoreBackend backend;
    private final ReentrantLock writing = new ReentrantLock();
    private volatile boolean closed;

    BackedSyncStore(String name, StoreBackend backend) {
        this.name = requireNonNull(name, "name is null");
        this.backend = requireNonNull(backend, "the provider of store '" + name + "' opened no backend (null)");
    }

    // ---- writes ---------------------------------------------------------------------------

    @Override
    public ApplyResult apply(BatchHeader header, ChangeSource changes) {
        return apply(header, changes, false);
    }

    @Override
    public boolean canKeepPending() {
        return backend.canKeepPending();
    }

    @Override
    public ApplyResult applyKeepingPending(BatchHeader header, ChangeSource changes) {
        if (!backend.canKeepPending()) {
            return SyncStore.super.applyKeepingPending(header, changes);
        }
        return apply(header, changes, true);
    }

    private ApplyResult apply(BatchHeader header, ChangeSource changes, boolean keepPending) {
        requireNonNull(header, "header is null");
        requireNonNull(changes, "changes is null");
        return write(() -> {
            try (BatchTransaction transaction = backend.beginBatch(header)) {
                StorePosition position = transaction.position();
                ApplyOutcome outcome = header.outcomeAt(position.lsn());
                if (outcome != ApplyOutcome.APPLIED) {
                    return ApplyResult.notApplied(outcome, position.lsn());
                }
                long checksum = position.checksum();
                for (Change change = changes.next(); change != null; change = changes.next()) {
                    write(transaction, header, change);
                    checksum += Checksum.of(change);
                }
                StorePosition next = new StorePosition(header.lsn(), checksum);
                if (keepPending) {
                    transaction.commitKeepingPending(next);
                } else {
                    transaction.commit(next);
                }
                return ApplyResult.applied(header.lsn());
            }
        });
    }

    private static void write(BatchTransaction transaction, BatchHeader header, Change change) {
        try {
            switch (change.type()) {
                case UPDATE -> transaction.upsert(change.entityType(), change.entityId(), EntityData.parse(change.data()));
                case DELETE -> transaction.delete(change.entityType(), change.entityId());
                case TRUNCATE -> transaction.truncate(change.entityType());
                case MOVE -> transaction.move(change.entityType(), change.fromId(), change.entityId(),
                        EntityData.parse(change.data()));
                default -> throw new IllegalStateException("unknown change type " + change.type());
            }
        } catch (ProtocolException e) {
            throw new SyncStoreException(StoreErrorCode.INVALID_CHANGE, header + ": the " + change.type().wireName()
                    + " of " + change.entityType() + " '" + change.entityId() + "' cannot be stored: "
                    + e.getMessage() + "; nothing of the batch was applied", e);
        }
    }

    @Override
    public void recordPending(Lsn lsn) {
        requireNonNull(lsn, "lsn is null");
        write(() -> {
            backend.recordPending(lsn);
            return null;
        });
    }

    @Override
    public void clearPending() {
        write(() -> {
            backend.clearPending();
            return null;
        });
    }

    @Override
    public void resetHistory(String historyId) {
        requireNonNull(historyId, "historyId is null");
        if (historyId.isEmpty()) {
            throw new IllegalArgumentException("historyId is empty");
        }
        write(() -> {
            backend.resetHistory(historyId);
            return null;
        });
    }

    @Override
    public void putMetadata(String key, String value) {
        requireNonNull(key, "key is null");
        requireNonNull(value, "value is null");
        if (key.isEmpty() || key.length() > MAX_METADATA_KEY_LENGTH) {
            throw new IllegalArgumentException("a metadata key has 1 to " + MAX_METADATA_KEY_LENGTH
                    + " characters, not " + key.length());
        }
        write(() -> {
            backend.putMetadata(key, value);
            return null;
        });
    }

    private <T> T write(Supplier<T> work) {
        writing.lock();
        try {
            checkOpen();
            return work.get();
        } finally {
            writing.unlock();
        }
    }

    // ---- reads ----------------------------------------------------------------------------

    @Override
    public Lsn committedLsn() {
        checkOpen();
        return backend.position().lsn();
    }

    @Override
    public long committedChecksum() {
        checkOpen();
        return backend.position().checksum();
    }

    @Override
    public Optional<String> historyId() {
        checkOpen();
        return backend.historyId();
    }

    @Override
    public Optional<Lsn> pendingLsn() {
        checkOpen();
        return backend.pendingLsn();
    }

    @Override
    public Optional<String> get(String entityType, String entityId) {
        requireNonNull(entityType, "entityType is null");
        requireNonNull(entityId, "entityId is null");
        checkOpen();
        return backend.get(entityType, entityId);
    }

    @Override
    public long count(String entityType) {
        requireNonNull(entityType, "entityType is null");
        checkOpen();
        return backend.count(entityType);
    }

    @Override
    public void forEach(String entityType, BiConsumer<String, String> action) {
        requireNonNull(entityType, "entityType is null");
        requireNonNull(action, "action is null");
        checkOpen();
        backend.forEach(entityType, action);
    }

    @Override
    public Optional<String> metadata(String key) {
        requireNonNull(key, "key is null");
        checkOpen();
        return backend.metadata(key);
    }

    // ---- lifecycle ------------------------------------------------------------------------

    private void checkOpen() {
        if (closed) {
            throw new SyncStoreException(StoreErrorCode.CLOSED, "the " + name + " store " + backend + " is closed; open it again");
        }
    }

    @Override
    public void close() {
        writing.lock();
        try {
            if (!closed) {
                closed = true;
                backend.close();
            }
        } finally {
            writing.unlock();
        }
    }

    @Override
    public String toString() {
        return backend.toString();
    }
}
