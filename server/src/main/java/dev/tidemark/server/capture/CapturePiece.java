package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.LoggedChange;
import java.time.Instant;
import java.util.List;

/**
 * What the capture thread hands the writer: changes of one transaction, and, when {@code commitLsn}
 * is set, the end of that transaction. A large transaction arrives as several pieces; only its last
 * one is a commit.
 *
 * @param changes the changes, in seq order
 * @param commitLsn the transaction's commit LSN when this piece ends it, else {@code null}
 * @param commitTime the transaction's commit time
 * @param heartbeat whether the transaction carried a Tidemark heartbeat (its position should be
 *     written even without changes)
 * @param bytes the approximate size of the changes' data
 * @param transactionSize for a commit piece, how many changes the whole transaction has
 * @param tables for a commit piece, what the transaction changes in the set of captured tables
 *     (refresh markers at its commit position); written with it
 */
record CapturePiece(List<LoggedChange> changes, Lsn commitLsn, Instant commitTime, boolean heartbeat, long bytes,
                    int transactionSize, TableUpdates tables) {

    CapturePiece {
        requireNonNull(changes, "changes is null");
        requireNonNull(commitTime, "commitTime is null");
        requireNonNull(tables, "tables is null");
    }

    CapturePiece(List<LoggedChange> changes, Lsn commitLsn, Instant commitTime, boolean heartbeat, long bytes,
                 int transactionSize) {
        this(changes, commitLsn, commitTime, heartbeat, bytes, transactionSize, TableUpdates.NONE);
    }

    boolean isCommit() {
        return commitLsn != null;
    }
}
