package dev.tidemark.server.hub.testing;

import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogException;
import dev.tidemark.server.spi.ClientProgress;
import dev.tidemark.server.spi.HistoryState;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.TableRefresh;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link ChangeLog} in memory that keeps the SPI's contract: atomic append with the capture position,
 * idempotent replays, reads never past the capture position, trimming with checksums kept. For hub tests and
 * benchmarks that must run without PostgreSQL. Can be told to fail reads, to test the failure paths.
 */
public final class InMemoryChangeLog implements ChangeLog {

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final TreeMap<LogPosition, LoggedChange> changes = new TreeMap<>();
    private final Map<String, ClientProgress> progress = new HashMap<>();
    private final AtomicInteger saveProgressCalls = new AtomicInteger();
    private final AtomicInteger readCalls = new AtomicInteger();
    private final AtomicInteger refreshesCalls = new AtomicInteger();
    private final List<TableRefresh> refreshes = new ArrayList<>();
    private HistoryState state;
    private long trimmedChecksum;
    private final Map<String, Long> trimmedTypeChecksums = new HashMap<>();
    private volatile RuntimeException readFailure;

    @Override
    public Optional<HistoryState> state() {
        lock.readLock().lock();
        try {
            return Optional.ofNullable(state);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public HistoryState startHistory(String historyId, Lsn startPosition) {
        lock.writeLock().lock();
        try {
            changes.clear();
            progress.clear();
            refreshes.clear();
            trimmedChecksum = 0;
            trimmedTypeChecksums.clear();
            state = new HistoryState(historyId, startPosition, startPosition);
            return state;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public HistoryState startHistory(String historyId, Lsn startPosition, List<TableRefresh> markers) {
        lock.writeLock().lock();
        try {
            HistoryState started = startHistory(historyId, startPosition);
            refreshes.addAll(markers);
            return started;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void append(List<LoggedChange> batch, List<TableRefresh> markers, Optional<Lsn> newCapturePosition) {
        lock.writeLock().lock();
        try {
            Lsn before = state == null ? Lsn.ZERO : state.capturePosition();
            append(batch, newCapturePosition);
            for (TableRefresh marker : markers) {
                if (marker.lsn().isAfter(state.capturePosition())) {
                    throw new ChangeLogException("marker " + marker + " is past the capture position");
                }
                if (marker.lsn().isAfter(before) && !refreshes.contains(marker)) {
                    refreshes.add(marker);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public List<TableRefresh> refreshes(Lsn after, Lsn upTo) {
        refreshesCalls.incrementAndGet();
        lock.readLock().lock();
        try {
            if (state == null) {
                return List.of();
            }
            return refreshes.stream()
                    .filter(marker -> marker.lsn().isAfter(after) && !marker.lsn().isAfter(upTo)
                            && !marker.lsn().isAfter(state.capturePosition()))
                    .sorted(java.util.Comparator.comparing(TableRefresh::lsn).thenComparing(TableRefresh::entityType))
                    .toList();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void append(List<LoggedChange> batch, Optional<Lsn> newCapturePosition) {
        lock.writeLock().lock();
        try {
            if (state == null) {
                throw new ChangeLogException("no history started: call startHistory first");
            }
            for (LoggedChange change : batch) {
                changes.putIfAbsent(change.position(), change);
            }
            if (newCapturePosition.isPresent() && newCapturePosition.get().isAfter(state.capturePosition())) {
                state = new HistoryState(state.historyId(), newCapturePosition.get(), state.retainedFrom());
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public List<LoggedChange> read(LogPosition after, Lsn upTo, Set<String> entityTypes, int limit) {
        readCalls.incrementAndGet();
        RuntimeException failure = readFailure;
        if (failure != null) {
            throw failure;
        }
        lock.readLock().lock();
        try {
            List<LoggedChange> result = new ArrayList<>();
            if (state == null) {
                return result;
            }
            Lsn bound = upTo.isBefore(state.capturePosition()) ? upTo : state.capturePosition();
            for (LoggedChange change : changes.tailMap(after, false).values()) {
                if (change.lsn().isAfter(bound) || result.size() >= limit) {
                    break;
                }
                if (entityTypes.isEmpty() || entityTypes.contains(change.change().entityType())) {
                    result.add(change);
                }
            }
            return result;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Optional<Lsn> nextTransaction(Lsn after, Lsn upTo, Set<String> entityTypes) {
        lock.readLock().lock();
        try {
            if (state == null) {
                return Optional.empty();
            }
            Lsn bound = upTo.isBefore(state.capturePosition()) ? upTo : state.capturePosition();
            for (LoggedChange change : changes.tailMap(LogPosition.afterTransaction(after), false).values()) {
                if (change.lsn().isAfter(bound)) {
                    break;
                }
                if (entityTypes.isEmpty() || entityTypes.contains(change.change().entityType())) {
                    return Optional.of(change.lsn());
                }
            }
            return Optional.empty();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long trim(Lsn upTo) {
        lock.writeLock().lock();
        try {
            NavigableMap<LogPosition, LoggedChange> trimmed = changes.headMap(LogPosition.afterTransaction(upTo), true);
            long count = trimmed.size();
            for (LoggedChange change : trimmed.values()) {
                trimmedChecksum += Checksum.of(change.change());
                trimmedTypeChecksums.merge(change.change().entityType(), Checksum.of(change.change()), Long::sum);
            }
            trimmed.clear();
            if (state != null && upTo.isAfter(state.retainedFrom())) {
                state = new HistoryState(state.historyId(), state.capturePosition(), upTo);
            }
            return count;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public OptionalLong checksumThrough(Lsn lsn) {
        lock.readLock().lock();
        try {
            if (lsn.equals(Lsn.ZERO) || changes.subMap(new LogPosition(lsn, 0), true,
                    LogPosition.afterTransaction(lsn), true).isEmpty()) {
                return OptionalLong.empty();
            }
            long sum = trimmedChecksum;
            for (LoggedChange change : changes.headMap(LogPosition.afterTransaction(lsn), true).values()) {
                sum += Checksum.of(change.change());
            }
            return OptionalLong.of(sum);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public OptionalLong checksumThrough(Lsn lsn, Set<String> entityTypes) {
        if (entityTypes.isEmpty()) {
            return checksumThrough(lsn);
        }
        lock.readLock().lock();
        try {
            if (state == null || lsn.equals(Lsn.ZERO) || lsn.isAfter(state.capturePosition())
                    || lsn.isBefore(state.retainedFrom())) {
                return OptionalLong.empty();
            }
            long sum = 0;
            for (String type : entityTypes) {
                sum += trimmedTypeChecksums.getOrDefault(type, 0L);
            }
            for (LoggedChange change : changes.headMap(LogPosition.afterTransaction(lsn), true).values()) {
                if (entityTypes.contains(change.change().entityType())) {
                    sum += Checksum.of(change.change());
                }
            }
            return OptionalLong.of(sum);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<Lsn> commitPositions(Set<Long> xids, Lsn upTo) {
        lock.readLock().lock();
        try {
            return changes.values().stream()
                    .filter(c -> !c.lsn().isAfter(upTo) && xids.contains(c.xid() & 0xFFFF_FFFFL))
                    .map(LoggedChange::lsn).distinct().toList();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Optional<Lsn> lastCommitBefore(java.time.Instant time) {
        lock.readLock().lock();
        try {
            Lsn found = null;
            for (LoggedChange change : changes.values()) {
                if (state != null && !change.lsn().isAfter(state.capturePosition())
                        && change.change().timestamp().isBefore(time)) {
                    found = change.lsn();
                }
            }
            return Optional.ofNullable(found);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Optional<Lsn> horizonKeeping(long maxChanges) {
        lock.readLock().lock();
        try {
            long kept = 0;
            Lsn transaction = null;
            for (LoggedChange change : changes.descendingMap().values()) {
                if (state != null && change.lsn().isAfter(state.capturePosition())) {
                    continue;
                }
                if (!change.lsn().equals(transaction)) {
                    transaction = change.lsn();
                }
                kept++;
                if (kept > maxChanges) {
                    return Optional.of(transaction);
                }
            }
            return Optional.empty();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long retainedChanges() {
        lock.readLock().lock();
        try {
            return changes.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void saveProgress(List<ClientProgress> rows) {
        saveProgressCalls.incrementAndGet();
        lock.writeLock().lock();
        try {
            for (ClientProgress row : rows) {
                // Like the PostgreSQL log: an older position than the one recorded changes nothing.
                progress.merge(row.clientId(), row,
                        (old, now) -> now.ackedLsn().isBefore(old.ackedLsn()) ? old : now);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public List<ClientProgress> progress() {
        lock.readLock().lock();
        try {
            return List.copyOf(progress.values());
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {}

    /** How many times {@link #saveProgress} was called. */
    public int saveProgressCalls() {
        return saveProgressCalls.get();
    }

    /** How many times {@link #refreshes} was called. */
    public int refreshesCalls() {
        return refreshesCalls.get();
    }

    /** How many times {@link #read} was called. */
    public int readCalls() {
        return readCalls.get();
    }

    /** Makes every read throw {@code failure} ({@code null}: reads work again). */
    public void failReads(RuntimeException failure) {
        this.readFailure = failure;
    }
}
