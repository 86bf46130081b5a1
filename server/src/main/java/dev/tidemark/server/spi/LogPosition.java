package dev.tidemark.server.spi;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;

/**
 * A key in the change log: a transaction's commit LSN and a change's index inside it. Reading
 * "after" a position is keyset paging; {@link #afterTransaction(Lsn)} starts after a whole
 * transaction.
 *
 * @param lsn the commit LSN
 * @param seq the index in the transaction; {@link Integer#MAX_VALUE} stands for "after every change
 *     of the transaction"
 */
public record LogPosition(Lsn lsn, int seq) implements Comparable<LogPosition> {

    public LogPosition {
        requireNonNull(lsn, "lsn is null");
    }

    /** The position after every change of the transaction that committed at {@code lsn}. */
    public static LogPosition afterTransaction(Lsn lsn) {
        return new LogPosition(lsn, Integer.MAX_VALUE);
    }

    @Override
    public int compareTo(LogPosition other) {
        int byLsn = lsn.compareTo(other.lsn);
        return byLsn != 0 ? byLsn : Integer.compare(seq, other.seq);
    }
}
