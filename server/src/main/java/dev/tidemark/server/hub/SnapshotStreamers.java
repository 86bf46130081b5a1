package dev.tidemark.server.hub;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.SnapshotSource;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.LogPosition;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the hub's snapshots run: resync snapshots, per-table snapshots, the held batches of a source verify
 * and reads of the source, each on a thread of one pool (the {@link ResyncGate} paces how many start).
 * The {@link SnapshotSource} is empty when this server cannot take snapshots. Thread-safe.
 */
final class SnapshotStreamers implements AutoCloseable {

    private final Optional<SnapshotSource> source;
    private final ChangeLog changeLog;
    private final HubConfig config;
    private final RefreshIndex refreshes;
    private final ExecutorService threads;

    SnapshotStreamers(Optional<SnapshotSource> source, ChangeLog changeLog, HubConfig config, RefreshIndex refreshes) {
        this.source = source;
        this.changeLog = changeLog;
        this.config = config;
        this.refreshes = refreshes;
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "tidemark-resync-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Whether this server takes snapshots at all. */
    boolean available() {
        return source.isPresent();
    }

    /** Streams a resync snapshot of what {@code filter} passes (see {@link SnapshotStreamer}). */
    void resync(EntityFilter filter, Lsn clientLsn, Executor loop, SnapshotStreamer.Target target) {
        threads.execute(new SnapshotStreamer(source.orElseThrow(), changeLog, config, filter, clientLsn, loop, target));
    }

    /** Streams a per-table snapshot batch (see {@link TableSnapshotStreamer}). */
    void tables(EntityFilter filter, AssemblyState from, Set<String> types, Set<String> held, Lsn mustCover,
                Executor loop, TableSnapshotStreamer.Target target) {
        threads.execute(new TableSnapshotStreamer(source.orElseThrow(), refreshes, changeLog, config, filter, from,
                types, held, mustCover, loop, target));
    }

    /** Streams one batch while a stream is held (see {@link HeldBatchStreamer}). */
    void heldBatch(EntityFilter filter, LogPosition cursor, Lsn prev, Lsn end, List<Change> extra,
                   List<String> repairedTypes, Executor loop, HeldBatchStreamer.Target target) {
        threads.execute(new HeldBatchStreamer(changeLog, config, filter, cursor, prev, end, extra, repairedTypes, loop,
                target));
    }

    /** A scanner of the source, for a source verify. */
    SourceScanner scanner() {
        return new SourceScanner(source.orElseThrow());
    }

    /** Runs a read of the source on a snapshot thread. */
    void execute(Runnable read) {
        threads.execute(read);
    }

    /** Stops every snapshot. */
    @Override
    public void close() {
        threads.shutdownNow();
    }
}
