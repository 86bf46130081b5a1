package dev.tidemark.examples.memorystore;

import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.BatchTransaction;
import dev.tidemark.client.spi.StoreBackend;
import dev.tidemark.client.spi.StorePosition;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.EntityData;
import dev.tidemark.protocol.Json;
import dev.tidemark.protocol.Lsn;
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
 * A {@link StoreBackend} that keeps entities in memory and every step in a {@link Journal}.
 *
 * <p>How it keeps the one rule: a batch's changes are only collected while it applies (nothing is
 * touched yet, so a failure — or a broken change stream — leaves nothing behind); its
 * {@link BatchTransaction#commit commit} appends ONE journal record holding the changes, the new LSN
 * and the new checksum and forces it to disk, and only then changes the in-memory state. The record
 * is the atomic, durable step; the memory is a cache of the journal. Readers take a read lock and so
 * see a batch entirely or not at all.
 *
 * <p>It holds a streamed batch in memory until the commit — fine for a store that holds everything
 * in memory anyway; a disk-backed store should write as it reads instead.
 */
final class MemoryStore implements StoreBackend {

    private final Journal journal;
    private final MemoryState state;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

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
    public BatchTransaction beginBatch(BatchHeader header) {
        // only the one writer changes the position, so reading it here is reading it "inside" the batch
        StorePosition position = new StorePosition(state.committedLsn, state.committedChecksum);
        List<Entry.Op> ops = new ArrayList<>();
        return new BatchTransaction() {
            @Override
            public StorePosition position() {
                return position;
            }

            @Override
            public void upsert(String entityType, String entityId, EntityData data) {
                ops.add(new Entry.Op(ChangeType.UPDATE, entityType, entityId, Json.canonicalObject(data.text()), null));
            }

            @Override
            public void move(String entityType, String fromId, String toId, EntityData data) {
                ops.add(new Entry.Op(ChangeType.MOVE, entityType, toId, Json.canonicalObject(data.text()), fromId));
            }

            @Override
            public void delete(String entityType, String entityId) {
                ops.add(new Entry.Op(ChangeType.DELETE, entityType, entityId, null, null));
            }

            @Override
            public void truncate(String entityType) {
                ops.add(new Entry.Op(ChangeType.TRUNCATE, entityType, null, null, null));
            }

            @Override
            public void commit(StorePosition next) {
                write(new Entry.Batch(next.lsn(), next.checksum(), ops));
            }

            @Override
            public void close() {
                ops.clear(); // nothing was journalled unless commit ran: nothing to roll back
            }
        };
    }

    @Override
    public void recordPending(Lsn lsn) {
        write(new Entry.Pending(lsn));
    }

    @Override
    public void clearPending() {
        write(new Entry.PendingCleared());
    }

    @Override
    public void resetHistory(String historyId) {
        write(new Entry.HistoryReset(historyId));
    }

    @Override
    public void putMetadata(String key, String value) {
        write(new Entry.MetadataPut(key, value));
    }

    /** Journal first (durable), memory second (visible). The core calls writes one at a time. */
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
    public StorePosition position() {
        return read(() -> new StorePosition(state.committedLsn, state.committedChecksum));
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
        lock.readLock().lock();
        try {
            return reader.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        journal.close();
    }

    @Override
    public String toString() {
        return "MemoryStore[" + journal + "]";
    }
}
