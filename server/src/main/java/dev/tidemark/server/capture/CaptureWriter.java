package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.CapturedRange;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.feed.LoggedChunk;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.TableRefresh;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The change-log writer of a capture session, on its own thread: takes pieces from the queue, groups
 * as many as are waiting (up to {@code maxBatchChanges}; it waits for more only when it is behind) into
 * one append, and only after that append committed publishes the range and offers the new position for confirmation to the slot.
 *
 * <p>Position-only pieces (transactions without captured changes) are held and written with the next
 * append, or on their own once per heartbeat interval or when they carry a heartbeat, so the slot
 * moves on an idle or filtered database without a write for every empty transaction.
 */
final class CaptureWriter implements Runnable {

    private static final long POLL_MILLIS = 100;
    /** How long a batch of a writer that is behind stays open for more pieces, from its first piece. */
    static final long LINGER_MICROS = 2_000;

    private final PieceQueue queue;
    private final ChangeLog changeLog;
    private final ChangeFeed feed;
    private final CaptureMetrics metrics;
    private final int maxBatchChanges;
    private final long positionOnlyIntervalNanos;
    private final AtomicReference<Lsn> durable;
    private final CaptureHealthTracker health;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopped;

    private Lsn position;
    /** The first transaction with changes this writer appended: a previous session may have logged part of it. */
    private Lsn firstWithChanges;
    private Lsn heldPosition;
    private Instant heldCommitTime;
    private boolean chunksBeyondPosition;
    private long lastWriteNanos = System.nanoTime();

    CaptureWriter(PieceQueue queue, ChangeLog changeLog, ChangeFeed feed, CaptureMetrics metrics,
                  CaptureSettings settings, Lsn startPosition, CaptureHealthTracker health) {
        this.health = requireNonNull(health, "health is null");
        this.queue = requireNonNull(queue, "queue is null");
        this.changeLog = requireNonNull(changeLog, "changeLog is null");
        this.feed = requireNonNull(feed, "feed is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.maxBatchChanges = settings.maxBatchChanges();
        this.positionOnlyIntervalNanos = settings.heartbeatInterval().toNanos();
        this.position = requireNonNull(startPosition, "startPosition is null");
        this.durable = new AtomicReference<>(startPosition);
    }

    /** The latest capture position made durable; safe to confirm to the slot. */
    Lsn durablePosition() {
        return durable.get();
    }

    /** The failure that stopped the writer, if any. */
    Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                CapturePiece first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    writeHeldIfDue();
                    continue;
                }
                write(drain(first));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure.set(e);
        }
    }

    /**
     * Collects a batch. A piece that arrives alone (nothing queued behind it) is written at once. When others
     * are already queued, the writer is behind: it takes them and what else arrives within {@link #LINGER_MICROS}
     * of the batch's first piece, so that one append carries many transactions and its fixed cost (a row lock, a
     * commit that waits for the WAL flush) is paid once.
     *
     * <p>The linger is counted from the batch's start, not from the last piece: a steady stream of small
     * transactions (one a millisecond at 1,000/s) would otherwise keep a batch open until it is full, and every
     * transaction in it would wait for the last (measured at 1,000 one-row transactions/s: batches of up to 870
     * transactions, held open about as many milliseconds; docs/performance.md).
     */
    private List<CapturePiece> drain(CapturePiece first) throws InterruptedException {
        List<CapturePiece> batch = new ArrayList<>();
        batch.add(first);
        int changes = first.changes().size();
        boolean behind = queue.peek() != null;
        long closesAt = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(LINGER_MICROS);
        while (changes < maxBatchChanges) {
            CapturePiece next = queue.peek();
            if (next == null) {
                long open = closesAt - System.nanoTime();
                if (!behind || open <= 0) {
                    break;
                }
                next = queue.poll(open, TimeUnit.NANOSECONDS);
                if (next == null) {
                    break;
                }
            } else if (changes + next.changes().size() > maxBatchChanges) {
                break;
            } else {
                queue.poll();
            }
            batch.add(next);
            changes += next.changes().size();
        }
        return batch;
    }

    private void write(List<CapturePiece> batch) {
        int size = 0;
        for (CapturePiece piece : batch) {
            size += piece.changes().size();
        }
        List<LoggedChange> changes = new ArrayList<>(size);
        Lsn commit = null;
        Instant commitTime = null;
        boolean heartbeat = false;
        int transactions = 0;
        TableUpdates.Builder tables = new TableUpdates.Builder();
        for (CapturePiece piece : batch) {
            changes.addAll(piece.changes());
            if (piece.isCommit()) {
                tables.add(piece.tables());
                heartbeat |= !piece.tables().isEmpty();
                commit = piece.commitLsn();
                commitTime = piece.commitTime();
                heartbeat |= piece.heartbeat();
                if (piece.transactionSize() > 0 && piece.commitLsn().isAfter(position)) {
                    transactions++;
                }
            }
        }
        if (commit == null) {
            commit = heldPosition;
            commitTime = heldCommitTime;
        }
        if (changes.isEmpty()) {
            if (commit == null) {
                return;
            }
            if (!heartbeat && System.nanoTime() - lastWriteNanos < positionOnlyIntervalNanos) {
                heldPosition = commit;
                heldCommitTime = commitTime;
                return;
            }
        }
        append(changes, tables, commit, commitTime, transactions);
    }

    private void writeHeldIfDue() {
        if (heldPosition != null && System.nanoTime() - lastWriteNanos >= positionOnlyIntervalNanos) {
            append(List.of(), new TableUpdates.Builder(), heldPosition, heldCommitTime, 0);
        }
    }

    private void append(List<LoggedChange> changes, TableUpdates.Builder tables, Lsn target, Instant commitTime,
                        int transactions) {
        changeLog.append(changes, tables.refreshes(), Optional.ofNullable(target));
        // Recorded after the markers are durable: a crash in between repeats a marker, never loses one.
        changeLog.saveCapturedTableShapes(tables.shapes(), tables.dropped());
        for (TableRefresh refresh : tables.refreshes()) {
            health.include(refresh.entityType());
        }
        lastWriteNanos = System.nanoTime();
        heldPosition = null;
        heldCommitTime = null;
        Lsn from = position;
        boolean moved = target != null && target.isAfter(from);
        int newChanges = 0;
        if (firstWithChanges == null) {
            for (LoggedChange change : changes) {
                if (change.lsn().isAfter(from)) {
                    firstWithChanges = change.lsn();
                    break;
                }
            }
        }
        List<LoggedChange> range = moved ? new ArrayList<>(changes.size()) : List.of();
        List<LoggedChange> ahead = new ArrayList<>();
        for (LoggedChange change : changes) {
            if (!change.lsn().isAfter(from)) {
                continue;
            }
            newChanges++;
            if (moved && !change.lsn().isAfter(target)) {
                range.add(change);
            } else {
                ahead.add(change);
            }
        }
        boolean beyond = !ahead.isEmpty();
        metrics.captured(newChanges, transactions, commitTime);
        health.progressed(target != null && target.isAfter(from) ? target : from);
        if (moved) {
            boolean complete = !chunksBeyondPosition;
            position = target;
            chunksBeyondPosition = beyond;
            durable.set(target);
            // The append wrote exactly the markers in (from, target]: the hub need not read them back.
            List<TableRefresh> markers = new ArrayList<>();
            for (TableRefresh refresh : tables.refreshes()) {
                if (refresh.lsn().isAfter(from) && !refresh.lsn().isAfter(target)) {
                    markers.add(refresh);
                }
            }
            feed.publish(new CapturedRange(from, target, complete ? range : List.of(), complete,
                    Optional.of(markers)));
        } else if (beyond) {
            chunksBeyondPosition = true;
        }
        if (beyond) {
            publishAhead(ahead);
        }
    }

    /**
     * Tells the hub of changes written ahead of their transaction's end (a chunk of a large transaction), so it can
     * stream them before the transaction is whole. They are of one transaction, the next after the position: capture
     * receives transactions whole and in commit order, and a chunk is written only once the earlier ones are.
     */
    private void publishAhead(List<LoggedChange> ahead) {
        Lsn lsn = ahead.get(0).lsn();
        if (lsn.equals(firstWithChanges)) {
            // The first transaction after the session's start may be one the previous session was writing when it
            // stopped: the log kept that session's rows of it (appends insert a change only once), which a replay
            // would not tell. Its readers wait for the whole of it in the log.
            return;
        }
        for (int i = 1; i < ahead.size(); i++) {
            if (!ahead.get(i).lsn().equals(lsn) || ahead.get(i).seq() != ahead.get(i - 1).seq() + 1) {
                return; // not one run of one transaction (a replay's overlap): readers wait for the whole of it
            }
        }
        if (lsn.isAfter(position)) {
            feed.publishChunk(new LoggedChunk(position, lsn, ahead));
        }
    }
}
