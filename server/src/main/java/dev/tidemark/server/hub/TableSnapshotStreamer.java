package dev.tidemark.server.hub;

import dev.tidemark.server.feed.SnapshotSource;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SnapshotInfo;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Sends one client a per-table snapshot (protocol.md, "Snapshots per table"), on a reader thread: the
 * client stands at {@code from} (its chain position) and the log ahead of it holds refresh markers of
 * entity types it receives. One source snapshot of those types is taken at a cut C at or after every marker
 * in (position, C]; the client gets ONE batch ({@code prevLsn} its position, {@code lsn} C), in as many
 * parts as the bounds need: first the log's changes of its other types up to C, then a {@code truncate} of
 * each snapshot type, then the snapshot's rows as {@code update}s. The snapshot types' own log changes up to
 * C are skipped. The tail goes on from C.
 *
 * <p>Memory stays bounded: log pages and snapshot chunks are read one part at a time, and the next part is
 * read only once the connection took the previous one.
 */
final class TableSnapshotStreamer implements Runnable {

    /**
     * Stands, in the types to snapshot, for every captured type the client receives but does not hold (a client
     * that subscribed to a list of types and now subscribes to all): resolved against the source's published
     * tables when the snapshot is taken. No entity type has this name (it starts with a NUL).
     */
    static final String EVERY_TYPE_NOT_HELD = "\u0000every type not held";

    private static final long PART_TIMEOUT_SECONDS = 120;
    /** More attempts than this to find a cut that covers every marker, and the snapshot is retried later. */
    private static final int MAX_ATTEMPTS = 4;

    /** What the streamer needs from its session; every call runs on the session's thread. */
    interface Target {
        /** Writes one part; the future completes once the connection is writable again. */
        CompletableFuture<Void> write(Changes part);

        /** Every part is written; the stream goes on after {@code position}. */
        void finished(String batchId, Lsn position, long rows, Set<String> entityTypes);

        /** No snapshot could be sent now; nothing of the batch was written. Try again after a while. */
        void retryLater(String why);

        /** The snapshot failed after parts were written: the connection must end. */
        void failed(String why, RuntimeException cause);
    }

    private final SnapshotSource source;
    private final RefreshIndex refreshes;
    private final ChangeLog changeLog;
    private final HubConfig config;
    private final EntityFilter filter;
    private final AssemblyState from;
    private final Set<String> types;
    private final Set<String> held;
    private final Lsn mustCover;
    private final Executor loop;
    private final Target target;
    private boolean written;

    /**
     * @param types the entity types to snapshot (more are added when markers of others lie before the cut)
     * @param held the entity types the client holds complete ({@link #EVERY_TYPE_NOT_HELD} stands for every other
     *     type it receives)
     * @param mustCover the cut must be at or after it (the last refresh marker that asked for the snapshot), or
     *     {@code null} (types new to the client: any cut serves)
     */
    TableSnapshotStreamer(SnapshotSource source, RefreshIndex refreshes, ChangeLog changeLog, HubConfig config,
                          EntityFilter filter, AssemblyState from, Set<String> types,
                          Set<String> held, Lsn mustCover, Executor loop, Target target) {
        this.source = source;
        this.refreshes = refreshes;
        this.changeLog = changeLog;
        this.config = config;
        this.mustCover = mustCover;
        this.filter = filter;
        this.from = from;
        this.types = new TreeSet<>(types);
        this.held = Set.copyOf(held);
        this.loop = loop;
        this.target = target;
    }

    @Override
    public void run() {
        try {
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                boolean everyOther = types.remove(EVERY_TYPE_NOT_HELD);
                SnapshotSource.Snapshot snapshot = source.open(type -> types.contains(type)
                        || everyOther && filter.matches(type) && !held.contains(type));
                types.addAll(snapshot.entityTypes());
                try {
                    Lsn cut = snapshot.position();
                    if (!cut.isAfter(from.chainLsn()) || (mustCover != null && cut.isBefore(mustCover))) {
                        // The batch must end after the client's position and at or after the markers; transactions
                        // running at the snapshot may have lowered the cut, or the log has not moved yet: later.
                        break;
                    }
                    refreshes.loadUpTo(cut);
                    Set<String> needed = new TreeSet<>(types);
                    refreshes.within(from.readPos(), cut, filter)
                            .forEach(marker -> needed.add(marker.entityType()));
                    if (needed.equals(types)) {
                        stream(snapshot, cut);
                        return;
                    }
                    types.addAll(needed);
                } finally {
                    snapshot.close();
                }
            }
            loop.execute(() -> target.retryLater("no snapshot cut at or after the refresh markers of " + types
                    + " yet"));
        } catch (RuntimeException e) {
            if (written) {
                loop.execute(() -> target.failed("the snapshot of " + types + " could not be sent", e));
            } else {
                loop.execute(() -> target.retryLater("the snapshot of " + types + " could not be taken: "
                        + e.getMessage()));
            }
        }
    }

    private void stream(SnapshotSource.Snapshot snapshot, Lsn cut) {
        Lsn prev = from.chainLsn();
        Long logChecksum = logChecksum(prev, cut);
        OptionalLong estimate = snapshot.estimatedRows();
        Long estimated = estimate.isPresent() ? estimate.getAsLong() : null;
        String batchId = "snapshot-" + cut + "-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> typeList = List.copyOf(types);
        Parts parts = new Parts(snapshot, cut);
        List<Change> chunk = parts.next();
        // A part is written only once the one after it is read (its 'last' depends on it); the page after that is
        // read while the session's thread encodes and writes the part, so reading and writing overlap.
        List<Change> next = chunk.isEmpty() ? List.of() : parts.next();
        int part = 1;
        long rows = 0;
        while (true) {
            boolean last = next.isEmpty();
            rows += parts.rowsIn(chunk);
            SnapshotInfo info = new SnapshotInfo(typeList, rows, estimated, logChecksum);
            Changes message = (part == 1 && last
                    ? Changes.of(new dev.tidemark.protocol.ChangeBatch(batchId, prev, cut, chunk))
                    : Changes.part(batchId, prev, cut, part, last, chunk)).withSnapshot(info);
            long total = rows;
            written = true;
            CompletableFuture<Void> sent = onLoop(() -> {
                CompletableFuture<Void> done = target.write(message);
                if (last) {
                    target.finished(batchId, cut, total, Set.copyOf(types));
                }
                return done;
            });
            List<Change> after = last ? List.of() : parts.next();
            await(sent);
            if (last) {
                return;
            }
            chunk = next;
            next = after;
            part++;
        }
    }

    /**
     * The log's checksum of the client's entity types' changes in (prev, cut]: what the batch stands for in the
     * running checksum a client verifies against. Two lookups of the running sums kept per entity type; a log
     * that does not know them (a history begun before they were kept) is re-read instead.
     *
     * <p>{@code null} (unknown: the client is verified by position only from then on) when the batch brings a
     * type the client did not hold at {@code prev}: its checksum counts nothing of that type's history before
     * {@code prev}, and the stream cannot tell here which types those are. A client at {@code 0/0} held
     * nothing, and a type named by a refresh marker in (prev, cut] was held; any other type is taken as new.
     */
    private Long logChecksum(Lsn prev, Lsn cut) {
        if (filter.nothing()) {
            return 0L;
        }
        if (!prev.equals(Lsn.ZERO)) {
            Set<String> marked = new TreeSet<>();
            refreshes.within(from.readPos(), cut, filter).forEach(marker -> marked.add(marker.entityType()));
            if (!marked.containsAll(types)) {
                return null;
            }
        }
        OptionalLong through = changeLog.checksumThrough(cut, filter.logTypes());
        OptionalLong before = prev.equals(Lsn.ZERO) ? OptionalLong.of(0)
                : changeLog.checksumThrough(prev, filter.logTypes());
        if (through.isPresent() && before.isPresent()) {
            return through.getAsLong() - before.getAsLong();
        }
        long sum = 0;
        LogPosition cursor = LogPosition.afterTransaction(prev);
        int limit = config.batchMaxChanges();
        while (true) {
            List<LoggedChange> rows = changeLog.read(cursor, cut, filter.logTypes(), limit);
            for (LoggedChange row : rows) {
                sum += Checksum.of(row.change());
            }
            if (rows.size() < limit) {
                return sum;
            }
            cursor = rows.get(rows.size() - 1).position();
        }
    }

    /** The batch's changes in parts: the log's changes of the other types first, then the snapshot. */
    private final class Parts {
        private final SnapshotSource.Snapshot snapshot;
        private final Lsn cut;
        /** For a client of some types: those of them the log still sends (the rest come with the snapshot). */
        private final Set<String> others;
        private LogPosition cursor;
        private boolean logDone;

        Parts(SnapshotSource.Snapshot snapshot, Lsn cut) {
            this.snapshot = snapshot;
            this.cut = cut;
            this.cursor = from.cursor();
            Set<String> others = new TreeSet<>();
            if (!filter.all()) {
                others.addAll(filter.types());
                others.removeAll(types);
            }
            this.others = others;
            // Only other types' changes are taken from the log; when the client receives nothing else, skip it.
            this.logDone = !filter.all() && others.isEmpty();
        }

        List<Change> next() {
            int max = config.batchMaxChanges();
            long maxBytes = config.batchMaxBytes();
            if (!logDone) {
                // The log filters the snapshot's types out where it reads, so a backlog of only those (a new
                // client's usual case) costs one read instead of reading and dropping every change of it.
                List<LoggedChange> rows = filter.all()
                        ? changeLog.readExcept(cursor, cut, types, max)
                        : changeLog.read(cursor, cut, others, max);
                if (rows.size() < max) {
                    logDone = true;
                }
                if (!rows.isEmpty()) {
                    cursor = rows.get(rows.size() - 1).position();
                    List<Change> chunk = new ArrayList<>(rows.size());
                    rows.forEach(row -> chunk.add(row.change()));
                    return chunk;
                }
            }
            return snapshot.next(max, maxBytes);
        }

        long rowsIn(List<Change> chunk) {
            long rows = 0;
            for (Change change : chunk) {
                if (types.contains(change.entityType()) && change.type() != dev.tidemark.protocol.ChangeType.TRUNCATE) {
                    rows++;
                }
            }
            return rows;
        }
    }

    private CompletableFuture<Void> onLoop(Supplier<CompletableFuture<Void>> work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                work.get().whenComplete((ok, failure) -> {
                    if (failure != null) {
                        done.completeExceptionally(failure);
                    } else {
                        done.complete(null);
                    }
                });
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private static void await(CompletableFuture<Void> future) {
        try {
            future.get(PART_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending a table snapshot", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the connection went away during a table snapshot: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the client did not take a table snapshot part within "
                    + PART_TIMEOUT_SECONDS + " s", e);
        }
    }
}
