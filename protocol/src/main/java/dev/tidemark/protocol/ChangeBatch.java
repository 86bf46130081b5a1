package dev.tidemark.protocol;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Whole source transactions whose commit positions lie in ({@code prevLsn}, {@code lsn}], as one
 * unit a store applies atomically.
 *
 * <p>A store applies a batch only when {@code prevLsn} equals its committed LSN; a batch with
 * {@code lsn} at or before the committed LSN is a duplicate, and one with {@code prevLsn} after it is
 * a gap. An empty batch only moves the position.
 *
 * @param batchId the server's id for the batch, echoed in acks
 * @param prevLsn the position the previous batch to this client ended at
 * @param lsn the commit position of the batch's last transaction
 * @param changes the changes in commit order
 */
public record ChangeBatch(String batchId, Lsn prevLsn, Lsn lsn, List<Change> changes) {

    public ChangeBatch {
        requireNonNull(batchId, "batchId is null");
        requireNonNull(prevLsn, "prevLsn is null");
        requireNonNull(lsn, "lsn is null");
        changes = List.copyOf(changes);
        if (lsn.isBefore(prevLsn)) {
            throw new IllegalArgumentException("lsn " + lsn + " is before prevLsn " + prevLsn);
        }
    }
}
