package dev.tidemark.server.hub;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.LogPosition;

/**
 * Where a client's stream of batches stands in the change log.
 *
 * @param cursor the next read starts after this position
 * @param chainLsn the position the last assembled batch ended at: the next batch's {@code prevLsn}
 * @param readPos every transaction at or before it was consumed (sent or skipped by the filter)
 * @param open the multi-part batch being assembled, or {@code null}
 */
record AssemblyState(LogPosition cursor, Lsn chainLsn, Lsn readPos, OpenPart open) {

    AssemblyState {
        requireNonNull(cursor, "cursor is null");
        requireNonNull(chainLsn, "chainLsn is null");
        requireNonNull(readPos, "readPos is null");
    }

    /** A stream that starts at {@code position}: the client has everything up to it. */
    static AssemblyState at(Lsn position) {
        return new AssemblyState(LogPosition.afterTransaction(position), position, position, null);
    }

    /**
     * A multi-part batch in progress: one transaction larger than the batch bounds.
     *
     * @param batchId shared by every part
     * @param prevLsn shared by every part
     * @param lsn the transaction's commit LSN, shared by every part
     * @param nextPart the number of the next part
     */
    record OpenPart(String batchId, Lsn prevLsn, Lsn lsn, int nextPart) {}
}
