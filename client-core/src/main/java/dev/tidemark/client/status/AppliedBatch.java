package dev.tidemark.client.status;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;

/**
 * A batch the store applied and committed (and, in the default mode, acknowledged).
 *
 * @param batchId the server's id for the batch
 * @param prevLsn where the batch started: the store's committed LSN before it
 * @param lsn where the batch ended: the store's committed LSN now
 * @param changes how many changes it held
 * @param parts how many messages it arrived in (1 unless the server split a large transaction)
 */
public record AppliedBatch(String batchId, Lsn prevLsn, Lsn lsn, int changes, int parts) {

    public AppliedBatch {
        requireNonNull(batchId, "batchId is null");
        requireNonNull(prevLsn, "prevLsn is null");
        requireNonNull(lsn, "lsn is null");
    }
}
