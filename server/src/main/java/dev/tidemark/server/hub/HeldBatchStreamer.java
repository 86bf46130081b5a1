package dev.tidemark.server.hub;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SnapshotInfo;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes ONE batch to a client whose stream is held for a source verify, on a snapshot thread: the batch
 * chains after the stream's position {@code prev} and ends at {@code end}; it carries the log's changes of the
 * client's entity types after {@code cursor} up to {@code end}, then {@code extra} (the repair's changes). In
 * parts of the hub's batch bounds; the next part is read only once the connection took the previous one.
 *
 * <p>A repair batch ({@code repairedTypes} not null) carries a {@code snapshot} object whose {@code logChecksum}
 * is the checksum of its log changes only, so the client's verify checksum stays the log's after the repair
 * changes are applied (the same offset rule as a per-table snapshot).
 */
final class HeldBatchStreamer implements Runnable {

    private static final long PART_TIMEOUT_SECONDS = 120;

    /** The session's side; every call runs on the session's thread. */
    interface Target {
        /** Writes one part; the future completes once the connection is writable again. */
        CompletableFuture<Void> write(Changes part);

        /** Every part was written. */
        void finished(String batchId, Lsn end);

        /** The batch could not be sent; {@code written} says whether parts of it already went out. */
        void failed(String why, boolean written, RuntimeException cause);
    }

    private final ChangeLog changeLog;
    private final HubConfig config;
    private final EntityFilter filter;
    private final LogPosition cursor;
    private final Lsn prev;
    private final Lsn end;
    private final List<Change> extra;
    private final List<String> repairedTypes;
    private final Executor loop;
    private final Target target;
    private boolean written;

    HeldBatchStreamer(ChangeLog changeLog, HubConfig config, EntityFilter filter, LogPosition cursor, Lsn prev, Lsn end, List<Change> extra,
                      List<String> repairedTypes, Executor loop, Target target) {
        this.changeLog = changeLog;
        this.config = config;
        this.filter = filter;
        this.cursor = cursor;
        this.prev = prev;
        this.end = end;
        this.extra = List.copyOf(extra);
        this.repairedTypes = repairedTypes == null ? null : List.copyOf(repairedTypes);
        this.loop = loop;
        this.target = target;
    }

    @Override
    public void run() {
        try {
            SnapshotInfo info = null;
            if (repairedTypes != null) {
                long logChecksum = 0;
                Parts log = new Parts(List.of());
                for (List<Change> chunk = log.next(); !chunk.isEmpty(); chunk = log.next()) {
                    logChecksum += Checksum.of(chunk);
                }
                info = new SnapshotInfo(repairedTypes, extra.size(), (long) extra.size(), logChecksum);
            }
            String batchId = (repairedTypes == null ? "catchup-" : "repair-") + end + "-"
                    + UUID.randomUUID().toString().substring(0, 8);
            Parts parts = new Parts(extra);
            List<Change> chunk = parts.next();
            int part = 1;
            while (true) {
                List<Change> next = chunk.isEmpty() ? List.of() : parts.next();
                boolean last = next.isEmpty();
                Changes message = part == 1 && last
                        ? Changes.of(new ChangeBatch(batchId, prev, end, chunk))
                        : Changes.part(batchId, prev, end, part, last, chunk);
                if (info != null) {
                    message = message.withSnapshot(info);
                }
                Changes toWrite = message;
                written = true;
                await(onLoop(() -> {
                    CompletableFuture<Void> done = target.write(toWrite);
                    if (last) {
                        target.finished(batchId, end);
                    }
                    return done;
                }));
                if (last) {
                    return;
                }
                chunk = next;
                part++;
            }
        } catch (RuntimeException e) {
            boolean wasWritten = written;
            loop.execute(() -> target.failed("the batch up to " + end + " could not be sent: " + e.getMessage(),
                    wasWritten, e));
        }
    }

    /** The log's changes of the client's types in (cursor, end], then the extra changes, in bounded chunks. */
    private final class Parts {
        private final List<Change> extras;
        private LogPosition at = cursor;
        private boolean logDone = filter.nothing();
        private int extraIndex;

        Parts(List<Change> extras) {
            this.extras = extras;
        }

        List<Change> next() {
            int max = config.batchMaxChanges();
            while (!logDone) {
                List<LoggedChange> rows = changeLog.read(at, end, filter.logTypes(), max);
                if (rows.size() < max) {
                    logDone = true;
                }
                if (!rows.isEmpty()) {
                    at = rows.get(rows.size() - 1).position();
                }
                List<Change> chunk = new ArrayList<>(rows.size());
                for (LoggedChange row : rows) {
                    if (filter.matches(row.change().entityType())) {
                        chunk.add(row.change());
                    }
                }
                if (!chunk.isEmpty()) {
                    return chunk;
                }
            }
            int to = Math.min(extras.size(), extraIndex + max);
            List<Change> chunk = extras.subList(extraIndex, to);
            extraIndex = to;
            return chunk;
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
            throw new IllegalStateException("interrupted while sending a batch", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the connection went away: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the client did not take a part within " + PART_TIMEOUT_SECONDS + " s", e);
        }
    }
}
