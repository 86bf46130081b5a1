package dev.tidemark.server.spi;

import dev.tidemark.protocol.Lsn;
import java.time.Instant;
import java.util.List;
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
     */
    HistoryState startHistory(String historyId, Lsn startPosition);

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
     * Reads up to {@code limit} changes after {@code after}, in (lsn, seq) order, never past the
     * capture position nor past {@code upTo}.
     *
     * @param entityTypes only changes of these entity types; empty for all
     */
    List<LoggedChange> read(LogPosition after, Lsn upTo, Set<String> entityTypes, int limit);

    /**
     * The commit LSN of the first transaction after {@code after} and at or before {@code upTo} that
     * holds a change of one of {@code entityTypes} (all when empty), if any. Lets a reader skip
     * quickly over transactions it does not want.
     */
    Optional<Lsn> nextTransaction(Lsn after, Lsn upTo, Set<String> entityTypes);

    /**
     * Removes every transaction that committed at or before {@code upTo}, and records that the log is
     * retained from there.
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

    /** Records client progress rows, replacing those of the same clients, in one write. */
    void saveProgress(List<ClientProgress> progress);

    /** Every client's progress. */
    List<ClientProgress> progress();

    /** Releases the log's connections. */
    @Override
    void close();
}
