package dev.tidemark.server.spi;

import dev.tidemark.protocol.Lsn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The server's durable change log: where capture writes decoded transactions and the hub reads them.
 *
 * <p>The one rule holds here as at every hop: {@link #append} makes its changes durable and moves the
 * capture position in one atomic step, or does neither. Readers never see past the capture position,
 * so a large transaction may be appended in several chunks (without a position) and becomes visible
 * only with the chunk that moves the position past it. Appends are idempotent: a change whose
 * ({@code lsn}, {@code seq}) is already present is skipped, because after a restart the replication
 * slot replays from its last confirmed position.
 *
 * <p>Implementations are thread-safe: capture appends while many hub sessions read.
 */
public interface ChangeLog extends AutoCloseable {

    /** The log's history, or empty when no history was ever started. */
    Optional<HistoryState> state();

    /**
     * Starts a new history: atomically forgets every change and client progress of the previous
     * one, and records {@code historyId} with its capture position at {@code startPosition}.
     *
     * @throws StaleLeaderException when the log is fenced by a leader epoch ({@link #leadership()}) and this node
     *     no longer leads capture: a node that lost the lead never switches the shared log to a new history;
     *     nothing was changed
     */
    HistoryState startHistory(String historyId, Lsn startPosition);

    /**
     * Starts a new history like {@link #startHistory(String, Lsn)} and records {@code refreshes} (each at
     * or before {@code startPosition}) in the same atomic step: capture marks every captured table as
     * complete only from the history's start.
     *
     * <p>The default accepts only an empty list; a log that keeps markers overrides it.
     */
    default HistoryState startHistory(String historyId, Lsn startPosition, List<TableRefresh> refreshes) {
        if (!refreshes.isEmpty()) {
            throw new ChangeLogException(getClass().getSimpleName() + " keeps no table refresh markers");
        }
        return startHistory(historyId, startPosition);
    }

    /**
     * Appends changes and, when {@code newCapturePosition} is given, moves the capture position to it,
     * in one atomic step. Changes already present are skipped. A position that would move backwards
     * is ignored (a replay), never applied.
     *
     * <p>The caller's contract: changes come in (lsn, seq) order, each transaction's from seq 0 without
     * a gap; after the append, every change of every transaction committed at or before the new
     * position is in the log; changes after the new position (all of them, when none is given) belong
     * to the one transaction being written in chunks. An append that breaks it is refused.
     *
     * @throws ChangeLogException when the write failed or broke the contract; nothing was written and
     *     the position is unchanged
     */
    void append(List<LoggedChange> changes, Optional<Lsn> newCapturePosition);

    /**
     * Appends changes and table refresh markers and, when {@code newCapturePosition} is given, moves the
     * capture position to it, in one atomic step (see {@link #append(List, Optional)} for the changes).
     *
     * <p>Each marker must lie at or before the capture position after the append: a marker is never
     * visible before the position that covers it. Markers at or before the capture position before the
     * append are replays and are skipped, as are markers already present (same lsn and entity type).
     *
     * <p>The default accepts only an empty list of markers; a log that keeps markers overrides it.
     *
     * @throws ChangeLogException when the write failed or broke the contract; nothing was written and
     *     the position is unchanged
     */
    default void append(List<LoggedChange> changes, List<TableRefresh> refreshes, Optional<Lsn> newCapturePosition) {
        if (!refreshes.isEmpty()) {
            throw new ChangeLogException(getClass().getSimpleName() + " keeps no table refresh markers");
        }
        append(changes, newCapturePosition);
    }

    /**
     * The table refresh markers with {@code after < lsn <= upTo}, in (lsn, entity type) order, never past
     * the capture position.
     *
     * <p>Trimming keeps, for every entity type, the newest marker even when it lies at or before the
     * retained position, so {@code refreshes(Lsn.ZERO, upTo)} always tells from where each type's history
     * is complete. Starting a new history forgets every marker of the previous one.
     *
     * <p>The default (a log that keeps no markers) has none.
     */
    default List<TableRefresh> refreshes(Lsn after, Lsn upTo) {
        return List.of();
    }

    /**
     * Reads up to {@code limit} changes after {@code after}, in (lsn, seq) order, never past the
     * capture position nor past {@code upTo}.
     *
     * @param entityTypes only changes of these entity types; empty for all
     */
    List<LoggedChange> read(LogPosition after, Lsn upTo, Set<String> entityTypes, int limit);

    /**
     * Reads up to {@code limit} changes after {@code after} whose entity type is <em>not</em> one of
     * {@code excluded}, in (lsn, seq) order, never past the capture position nor past {@code upTo}: what a table
     * snapshot of {@code excluded} leaves to the log. Fewer than {@code limit} changes means none is left up to
     * {@code upTo}.
     *
     * <p>The default pages through {@link #read} and drops the excluded types, so it reads every change in
     * between; a log that can filter where it reads overrides it (the PostgreSQL log filters in its query).
     *
     * @param excluded the entity types to leave out; empty for none
     */
    default List<LoggedChange> readExcept(LogPosition after, Lsn upTo, Set<String> excluded, int limit) {
        List<LoggedChange> found = new ArrayList<>();
        LogPosition cursor = after;
        while (found.size() < limit) {
            List<LoggedChange> rows = read(cursor, upTo, Set.of(), limit);
            for (LoggedChange row : rows) {
                if (!excluded.contains(row.change().entityType())) {
                    found.add(row);
                    if (found.size() == limit) {
                        return found;
                    }
                }
            }
            if (rows.size() < limit) {
                return found;
            }
            cursor = rows.get(rows.size() - 1).position();
        }
        return found;
    }

    /**
     * The commit LSN of the first transaction after {@code after} and at or before {@code upTo} that
     * holds a change of one of {@code entityTypes} (all when empty), if any. Lets a reader skip
     * quickly over transactions it does not want.
     */
    Optional<Lsn> nextTransaction(Lsn after, Lsn upTo, Set<String> entityTypes);

    /**
     * Removes every transaction that committed at or before {@code upTo}, and the table refresh markers
     * at or before it except each entity type's newest, and records that the log is retained from there.
     *
     * @return the number of changes removed
     */
    long trim(Lsn upTo);

    /**
     * The {@link dev.tidemark.protocol.Checksum} sum over every change of the history that committed at
     * or before {@code lsn} (trimmed changes included), for any {@code lsn} from the retained position
     * to the capture position; empty for {@code 0/0}, before the retained position or after the
     * capture position. Cheap: a running sum is kept per transaction.
     */
    OptionalLong checksumThrough(Lsn lsn);

    /**
     * The {@link dev.tidemark.protocol.Checksum} sum over the changes of {@code entityTypes} in the history
     * that committed at or before {@code lsn} (trimmed changes included): what a client that receives only
     * those types has summed through {@code lsn}. The sum is additive, so it is the sum of each type's running
     * sum, kept per transaction and type. Bounds as {@link #checksumThrough(Lsn)}; {@code entityTypes} empty
     * means every type, as {@link #checksumThrough(Lsn)}. Also empty when the log does not know per-type sums
     * (a history begun before they were kept); such clients are verified by position only.
     *
     * <p>The default knows per-type sums of no history; a log that keeps them overrides it.
     */
    default OptionalLong checksumThrough(Lsn lsn, Set<String> entityTypes) {
        return entityTypes.isEmpty() ? checksumThrough(lsn) : OptionalLong.empty();
    }

    /**
     * The commit positions, at or before {@code upTo}, of the retained transactions whose transaction id
     * is one of {@code xids} (32-bit ids, as logical decoding reports them). A resync snapshot uses it to
     * find transactions that were captured but not yet visible when the snapshot was taken.
     */
    List<Lsn> commitPositions(Set<Long> xids, Lsn upTo);

    /**
     * The commit position of the newest retained transaction that committed before {@code time}, if any:
     * the retention job's age horizon.
     */
    Optional<Lsn> lastCommitBefore(Instant time);

    /**
     * The commit position at or before which trimming leaves at most {@code maxChanges} changes retained,
     * or empty when the log retains no more than that: the retention job's size horizon.
     */
    Optional<Lsn> horizonKeeping(long maxChanges);

    /** How many changes the log retains. */
    long retainedChanges();

    /**
     * The shape (columns, types, key) capture last recorded for each captured table, by entity type:
     * capture compares it with the source at every start, so a schema change made while it was down is
     * not missed. Empty when none was recorded (or the log does not keep shapes).
     */
    default Map<String, String> capturedTableShapes() {
        return Map.of();
    }

    /**
     * Records the shapes of tables capture now follows (replacing those of the same types) and forgets
     * {@code removed} types. Capture calls it after the append that wrote the markers or truncates of
     * those changes, so a crash in between at worst repeats a marker, never misses one.
     */
    default void saveCapturedTableShapes(Map<String, String> shapes, List<String> removed) {
    }

    /** Records client progress rows, replacing those of the same clients, in one write. */
    void saveProgress(List<ClientProgress> progress);

    /** Every client's progress. */
    List<ClientProgress> progress();

    /**
     * Leader fencing, for a log that several server nodes share (see {@link CaptureLeadership}).
     *
     * <p>The default (a log that cannot fence) has none: its nodes rely on the capture lease alone.
     */
    default Optional<CaptureLeadership> leadership() {
        return Optional.empty();
    }

    /** Releases the log's connections. */
    @Override
    void close();
}
