package dev.tidemark.server.hub;

import dev.tidemark.server.feed.SnapshotSource;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SnapshotInfo;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.HistoryState;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Streams one resync snapshot to one client, on a reader thread: opens the snapshot, has the session announce
 * it ({@code sync_verify_result resync_required} with {@code snapshotLsn}), then sends its changes as ONE batch
 * ({@code prevLsn 0/0}, {@code lsn} the snapshot's position) in parts of at most {@code batchMaxChanges}
 * changes and about {@code batchMaxBytes}. Each part is written on the connection's thread, and the next is read only once the connection is
 * writable again, so a slow client holds at most one part in memory.
 */
final class SnapshotStreamer implements Runnable {

    /** How long one part may wait for the connection to drain before the resync is abandoned. */
    private static final long PART_TIMEOUT_SECONDS = 120;

    /** What the streamer needs from its session; every call runs on the session's thread. */
    interface Target {
        /** Writes {@code announcement}; the future completes once it is written. */
        CompletableFuture<Void> announce(SyncVerifyResult announcement);

        /** Writes one part; the future completes once the connection is writable again. */
        CompletableFuture<Void> write(Changes part);

        /**
         * Every part is written; streaming continues after {@code position}, a position in the change log's history
         * {@code historyId} (read when the snapshot was announced; {@code null} when the log has none).
         */
        void finished(Lsn position, int changes, String historyId);

        /** The snapshot could not be taken or sent. */
        void failed(String why, RuntimeException cause);
    }

    private final SnapshotSource source;
    private final ChangeLog changeLog;
    private final HubConfig config;
    private final EntityFilter filter;
    private final Lsn clientLsn;
    private final Target target;
    private final java.util.concurrent.Executor loop;

    SnapshotStreamer(SnapshotSource source, ChangeLog changeLog, HubConfig config, EntityFilter filter, Lsn clientLsn, java.util.concurrent.Executor loop,
                     Target target) {
        this.source = source;
        this.changeLog = changeLog;
        this.config = config;
        this.filter = filter;
        this.clientLsn = clientLsn;
        this.loop = loop;
        this.target = target;
    }

    @Override
    public void run() {
        SnapshotSource.Snapshot snapshot;
        try {
            snapshot = source.open(filter::matches);
        } catch (RuntimeException e) {
            loop.execute(() -> target.failed("the resync snapshot could not be taken", e));
            return;
        }
        try {
            stream(snapshot);
        } catch (RuntimeException e) {
            loop.execute(() -> target.failed("the resync snapshot could not be sent", e));
        } finally {
            snapshot.close();
        }
    }

    private void stream(SnapshotSource.Snapshot snapshot) {
        Lsn position = snapshot.position();
        // The client's running checksum restarts from the log's sum over the types it receives (per-type sums;
        // unknown for a history begun before they were kept, and then the client is verified by position only).
        OptionalLong checksum = filter.all() ? changeLog.checksumThrough(position)
                : filter.nothing() ? OptionalLong.empty() : changeLog.checksumThrough(position, filter.logTypes());
        Optional<HistoryState> log = changeLog.state();
        Lsn serverLsn = log.map(HistoryState::capturePosition).orElse(position);
        String historyId = log.map(HistoryState::historyId).orElse(null);
        await(onLoop(() -> target.announce(SyncVerifyResult.snapshotFollows(clientLsn, serverLsn, position,
                checksum.isPresent() ? checksum.getAsLong() : null))));
        String batchId = "resync-" + position + "-" + UUID.randomUUID().toString().substring(0, 8);
        int max = config.batchMaxChanges();
        long maxBytes = config.batchMaxBytes();
        List<Change> chunk = snapshot.next(max, maxBytes);
        int part = 1;
        int total = 0;
        // Progress for the client (rows loaded of the estimate); a resync keeps its own checksum offset.
        List<String> types = List.copyOf(snapshot.entityTypes());
        OptionalLong estimate = snapshot.estimatedRows();
        Long estimated = estimate.isPresent() ? estimate.getAsLong() : null;
        long rows = 0;
        while (true) {
            List<Change> next = chunk.isEmpty() ? List.of() : snapshot.next(max, maxBytes);
            boolean last = next.isEmpty();
            rows += chunk.stream().filter(change -> change.type() != ChangeType.TRUNCATE).count();
            Changes plain = part == 1 && last
                    ? Changes.of(new ChangeBatch(batchId, Lsn.ZERO, position, chunk))
                    : Changes.part(batchId, Lsn.ZERO, position, part, last, chunk);
            Changes message = types.isEmpty() ? plain
                    : plain.withSnapshot(new SnapshotInfo(types, rows, estimated, null));
            total += chunk.size();
            int changes = total;
            // The tail must start in the same loop task that writes the last part: a fast client may ack
            // the snapshot before any later task runs, and that ack belongs to the stream that follows.
            await(onLoop(() -> {
                CompletableFuture<Void> written = target.write(message);
                if (last) {
                    target.finished(position, changes, historyId);
                }
                return written;
            }));
            if (last) {
                break;
            }
            chunk = next;
            part++;
        }
    }

    private CompletableFuture<Void> onLoop(java.util.function.Supplier<CompletableFuture<Void>> work) {
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
            throw new IllegalStateException("interrupted while sending the resync snapshot", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the connection went away during the resync snapshot: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the client did not take the resync snapshot within "
                    + PART_TIMEOUT_SECONDS + " s", e);
        }
    }
}
