package dev.tidemark.examples.memorystore;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.ApplyOutcome;
import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Json;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.ProtocolException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * A {@link SyncStore} that keeps entities in memory and every step in a {@link Journal}.
 *
 * <p>How it keeps the one rule: {@code apply} first validates the whole batch (nothing is touched
 * yet, so a failure — or a broken change stream — leaves nothing behind), then appends ONE journal
 * record holding the changes, the new LSN and the new checksum and forces it to disk, and only then
 * changes the in-memory state. The record is the atomic, durable step; the memory is a cache of the
 * journal. Readers take a read lock and so see a batch entirely or not at all.
 *
 * <p>It holds a streamed batch in memory while validating it — fine for a store that holds everything
 * in memory anyway; a disk-backed store should write as it reads instead.
 */
final class MemoryStore implements SyncStore {

    private static final int MAX_KEY_LENGTH = 200;

    private final Journal journal;
    private final MemoryState state;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Object writer = new Object();
    private volatile boolean closed;

    private MemoryStore(Journal journal, MemoryState state) {
        this.journal = journal;
        this.state = state;
    }

    static MemoryStore open(Path journalFile) {
        MemoryState state = new MemoryState();
        Journal journal = Journal.open(journalFile, state::apply);
        return new MemoryStore(journal, state);
    }

    @Override
    public ApplyResult apply(BatchHeader header, ChangeSource changes) {
        requireNonNull(header, "header is null");
        requireNonNull(changes, "changes is null");
        synchronized (writer) {
            checkOpen();
            Lsn committed = state.committedLsn; // only this thread (holding writer) changes it
            ApplyOutcome outcome = header.outcomeAt(committed);
            if (outcome != ApplyOutcome.APPLIED) {
                return ApplyResult.notApplied(outcome, committed);
            }
            List<Entry.Op> ops = new ArrayList<>();
            long checksum = state.committedChecksum;
            for (Change change = changes.next(); change != null; change = changes.next()) {
                ops.add(op(header, change));
                checksum += Checksum.of(change);
            }
            write(new Entry.Batch(header.lsn(), checksum, ops));
            return ApplyResult.applied(header.lsn());
        }
    }

    /** The change as stored, with its data checked and made canonical. */
    private static Entry.Op op(BatchHeader header, Change change) {
        String data = null;
        if (change.type() == ChangeType.UPDATE || change.type() == ChangeType.MOVE) {
            try {
                data = Json.canonicalObject(change.data());
            } catch (ProtocolException e) {
                throw new SyncStoreException(StoreErrorCode.INVALID_CHANGE, header + ": the " + change.type().wireName()
                        + " of " + change.entityType() + " '" + change.entityId() + "' cannot be stored: "
                        + e.getMessage() + "; nothing of the batch was applied", e);
            }
        }
        return new Entry.Op(change.type(), change.entityType(), change.entityId(), data, change.fromId());
    }

    @Override
    public void recordPending(Lsn lsn) {
        requireNonNull(lsn, "lsn is null");
        writeAlone(new Entry.Pending(lsn));
    }

    @Override
    public void clearPending() {
        writeAlone(new Entry.PendingCleared());
    }

    @Override
    public void resetHistory(String historyId) {
        requireNonNull(historyId, "historyId is null");
        if (historyId.isEmpty()) {
            throw new IllegalArgumentException("historyId is empty");
        }
        writeAlone(new Entry.HistoryReset(historyId));
    }

    @Override
    public void putMetadata(String key, String value) {
        requireNonNull(key, "key is null");
        requireNonNull(value, "value is null");
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("a metadata key has 1 to " + MAX_KEY_LENGTH + " characters");
        }
        writeAlone(new Entry.MetadataPut(key, value));
    }

    private void writeAlone(Entry entry) {
        synchronized (writer) {
            checkOpen();
            write(entry);
        }
    }

    /** Journal first (durable), memory second (visible). Caller holds {@code writer}. */
    private void write(Entry entry) {
        journal.append(entry);
        lock.writeLock().lock();
        try {
            state.apply(entry);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public Lsn committedLsn() {
        return read(() -> state.committedLsn);
    }

    @Override
    public long committedChecksum() {
        return read(() -> state.committedChecksum);
    }

    @Override
    public Optional<String> historyId() {
        return read(() -> Optional.ofNullable(state.historyId));
    }

    @Override
    public Optional<Lsn> pendingLsn() {
        return read(() -> Optional.ofNullable(state.pendingLsn));
    }

    @Override
    public Optional<String> get(String entityType, String entityId) {
        return read(() -> Optional.ofNullable(state.entities.getOrDefault(entityType, Map.of()).get(entityId)));
    }

    @Override
    public long count(String entityType) {
        return read(() -> (long) state.entities.getOrDefault(entityType, Map.of()).size());
    }

    @Override
    public void forEach(String entityType, BiConsumer<String, String> action) {
        requireNonNull(action, "action is null");
        read(() -> {
            state.entities.getOrDefault(entityType, Map.of()).forEach(action);
            return null;
        });
    }

    @Override
    public Optional<String> metadata(String key) {
        return read(() -> Optional.ofNullable(state.metadata.get(key)));
    }

    private <T> T read(Supplier<T> reader) {
        checkOpen();
        lock.readLock().lock();
        try {
            return reader.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new SyncStoreException(StoreErrorCode.CLOSED, "the memory store is closed; open a new one");
        }
    }

    @Override
    public void close() {
        synchronized (writer) {
            if (!closed) {
                closed = true;
                journal.close();
            }
        }
    }
}
