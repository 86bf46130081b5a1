package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where a snapshot of the source meets the change history, exactly: the position {@code P} such that the
 * snapshot sees every logged transaction (of its entity types) that committed at or before {@code P} and
 * none after. The client stores the snapshot rows and {@code P} in one step and streams the history after
 * {@code P}: no change is missed, and none is applied twice (a client never sees an entity go back a
 * version).
 *
 * <h2>The method</h2>
 * <ol>
 *   <li>Read the capture position {@code capturedBefore}.</li>
 *   <li>Take the snapshot: a {@code REPEATABLE READ} transaction on the source whose first statement reads
 *       {@code pg_current_snapshot()} and then {@code pg_current_wal_insert_lsn()} ({@code walAfter}).
 *       A transaction the snapshot sees wrote its commit record before the snapshot was taken, so it
 *       committed before {@code walAfter}; one committing at or after {@code walAfter} is not seen.</li>
 *   <li>Wait until capture has logged past {@code walAfter}: from then on the log holds every
 *       transaction that matters for the decision.</li>
 *   <li>Look up the transactions that were running for the snapshot ({@code xip}) but are logged:
 *       {@link #scanFrom} is below all of them and at most {@code capturedBefore}. Every logged
 *       transaction at or before it is seen by the snapshot: it committed before {@code capturedBefore}
 *       was read (so it is no transaction that started after the snapshot) and was not running.</li>
 *   <li>Read the logged transactions after {@link #scanFrom} up to {@code walAfter} with their ids and
 *       classify them with the snapshot's visibility: provided every one it does not see commits after
 *       every one it sees, {@link #position} is just before the first one it does not see (or just before
 *       {@code walAfter}): every logged transaction at or before it is seen, none after it. When the seen ones are not a prefix in
 *       commit order (PostgreSQL makes a commit visible a moment after writing its commit record, so two
 *       concurrent commits can become visible out of order), there is no exact position: take a new
 *       snapshot.</li>
 * </ol>
 *
 * @param capturedBefore the capture position read just before the snapshot was taken
 * @param snapshot the snapshot's visibility
 * @param walAfter the source's WAL insert position read just after the snapshot was taken
 */
public record SnapshotCut(Lsn capturedBefore, TransactionSnapshot snapshot, Lsn walAfter) {

    public SnapshotCut {
        requireNonNull(capturedBefore, "capturedBefore is null");
        requireNonNull(snapshot, "snapshot is null");
        requireNonNull(walAfter, "walAfter is null");
    }

    /**
     * From where the logged transactions must be read: just before the earliest logged commit of a
     * transaction that was running for the snapshot, or {@code capturedBefore}, whichever is lower.
     *
     * @param commitsOfRunningTransactions the commit positions of the logged transactions whose ids are in
     *     the snapshot's {@code xip} list
     */
    public Lsn scanFrom(Collection<Lsn> commitsOfRunningTransactions) {
        Lsn from = capturedBefore;
        for (Lsn commit : commitsOfRunningTransactions) {
            if (!commit.isAfter(from)) {
                from = commit.equals(Lsn.ZERO) ? Lsn.ZERO : Lsn.of(commit.value() - 1);
            }
        }
        return from;
    }

    /**
     * The exact position, or empty when the transactions the snapshot sees are not a prefix of the logged
     * ones in commit order (take a new snapshot).
     *
     * @param from the result of {@link #scanFrom}
     * @param logged every logged transaction of the snapshot's entity types that committed after
     *     {@code from} and before {@code walAfter}, in any order
     */
    public Optional<Lsn> position(Lsn from, List<LoggedTransaction> logged) {
        requireNonNull(from, "from is null");
        Lsn position = from;
        Lsn firstUnseen = null;
        for (LoggedTransaction transaction : logged) {
            if (!transaction.commit().isAfter(from)) {
                throw new IllegalArgumentException("transaction " + transaction + " is not after " + from);
            }
            if (snapshot.sees(snapshot.widen((int) transaction.xid()))) {
                position = transaction.commit().isAfter(position) ? transaction.commit() : position;
            } else if (firstUnseen == null || firstUnseen.isAfter(transaction.commit())) {
                firstUnseen = transaction.commit();
            }
        }
        if (firstUnseen != null && !firstUnseen.isAfter(position)) {
            return Optional.empty();
        }
        // Every logged transaction before the first unseen one (or before walAfter) is seen: the position may
        // stand just before it, which lets a client already at the last seen commit still move on.
        Lsn limit = firstUnseen != null ? firstUnseen : walAfter;
        Lsn highest = Lsn.of(limit.value() - 1);
        return Optional.of(highest.isAfter(position) ? highest : position);
    }
}
