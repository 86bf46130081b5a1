package dev.tidemark.client.spi;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;

/**
 * A batch without its changes: what a store needs to decide whether to apply it, before the
 * changes stream in (see {@link SyncStore#apply(BatchHeader, ChangeSource)}).
 *
 * @param batchId the server's id for the batch, for messages
 * @param prevLsn the position the previous batch to this client ended at
 * @param lsn the position the store moves to when the batch is applied
 */
public record BatchHeader(String batchId, Lsn prevLsn, Lsn lsn) {

    public BatchHeader {
        requireNonNull(batchId, "batchId is null");
        requireNonNull(prevLsn, "prevLsn is null");
        requireNonNull(lsn, "lsn is null");
        if (lsn.isBefore(prevLsn)) {
            throw new IllegalArgumentException("lsn " + lsn + " is before prevLsn " + prevLsn);
        }
    }

    /** The header of an in-memory batch. */
    public static BatchHeader of(ChangeBatch batch) {
        return new BatchHeader(batch.batchId(), batch.prevLsn(), batch.lsn());
    }

    /**
     * What applying this batch to a store at {@code committedLsn} must do — the rule every store
     * follows (DESIGN section 5):
     * {@link ApplyOutcome#DUPLICATE} when {@code lsn} ≤ {@code committedLsn};
     * {@link ApplyOutcome#GAP} when {@code prevLsn} ≠ {@code committedLsn};
     * {@link ApplyOutcome#APPLIED} (apply it) otherwise.
     */
    public ApplyOutcome outcomeAt(Lsn committedLsn) {
        if (lsn.compareTo(committedLsn) <= 0) {
            return ApplyOutcome.DUPLICATE;
        }
        if (!prevLsn.equals(committedLsn)) {
            return ApplyOutcome.GAP;
        }
        return ApplyOutcome.APPLIED;
    }

    @Override
    public String toString() {
        return "batch '" + batchId + "' (" + prevLsn + " → " + lsn + ")";
    }
}
