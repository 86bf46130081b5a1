package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.util.Collection;

/**
 * Where a resync snapshot meets the change history, so that snapshot plus tail leaves the store
 * exactly as if it had applied every change.
 *
 * <h2>The method</h2>
 * <ol>
 *   <li>Read the capture position {@code capturedBefore}; every transaction up to it is in the change
 *       log.</li>
 *   <li>Take the snapshot: a {@code REPEATABLE READ} transaction on the source, with
 *       {@code pg_current_snapshot()}; read the rows of the entity types the client may see.</li>
 *   <li>Wait until every transaction that was still running when the snapshot was taken (its
 *       {@code xip} list) has finished and, if it committed, was captured; note their commit
 *       positions.</li>
 *   <li>The snapshot's position is {@link #position}: the lowest of {@code capturedBefore} and just
 *       before each of those commits. The client stores the snapshot rows and that position in one
 *       step, then streams the change history after it as usual.</li>
 * </ol>
 *
 * <h2>Why nothing is missed or doubled</h2>
 * Missed: a transaction the snapshot does not see either was running when it was taken (it is in
 * {@code xip}; its commit is after the position by construction) or started after it (its commit is
 * after {@code capturedBefore}, read before the snapshot). Either way it is in the tail. Doubled:
 * a transaction at or before the position committed before {@code capturedBefore} and was not running
 * when the snapshot was taken, so the snapshot sees it, and the tail — which starts after the
 * position — does not carry it. Transactions after the position that the snapshot also saw are
 * replayed; every change is an idempotent set (merge-upsert, delete, truncate) applied in commit order,
 * and commit order is the order in which PostgreSQL let writers of the same row proceed, so replaying
 * them on top of the snapshot yields exactly the state after the last one. The client's running
 * checksum starts from the server's checksum through the position, so it counts each change once.
 *
 * @param capturedBefore the capture position read just before the snapshot was taken
 * @param snapshot the snapshot's visibility
 */
public record SnapshotCut(Lsn capturedBefore, TransactionSnapshot snapshot) {

    public SnapshotCut {
        requireNonNull(capturedBefore, "capturedBefore is null");
        requireNonNull(snapshot, "snapshot is null");
    }

    /**
     * The snapshot's position, given the commit positions of the transactions that were running when
     * it was taken and later committed.
     */
    public Lsn position(Collection<Lsn> commitsOfRunningTransactions) {
        Lsn position = capturedBefore;
        for (Lsn commit : commitsOfRunningTransactions) {
            if (!commit.isAfter(position)) {
                position = commit.equals(Lsn.ZERO) ? Lsn.ZERO : Lsn.of(commit.value() - 1);
            }
        }
        return position;
    }
}
