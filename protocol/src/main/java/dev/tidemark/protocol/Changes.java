package dev.tidemark.protocol;

import java.util.List;

/**
 * {@code changes}, server → client: whole source transactions with commit positions in
 * ({@code prevLsn}, {@code lsn}].
 *
 * <p>A transaction larger than the server's batch bound travels as several messages that share
 * {@code batchId}, {@code prevLsn} and {@code lsn}, numbered by {@code part} from 1, the final one
 * with {@code last} true. The client applies all parts in one store transaction. A single-part batch
 * carries neither {@code part} nor {@code last}.
 *
 * @param batchId the server's id for the batch
 * @param prevLsn the position the previous batch to this client ended at
 * @param lsn the commit position of the last transaction in the batch
 * @param checksum {@link Checksum#of(Iterable)} of {@code data}; the client checks it before applying
 * @param part the part number from 1, or {@code null} for a single-part batch
 * @param last whether this is the final part, or {@code null} for a single-part batch
 * @param data the changes, in commit order
 * @param snapshot present on every message of a batch that carries a per-table snapshot, else {@code null}
 */
public record Changes(String batchId, Lsn prevLsn, Lsn lsn, long checksum, Integer part, Boolean last,
                      List<Change> data, SnapshotInfo snapshot) implements Message {

    public static final String TYPE = "changes";

    public Changes {
        Validation.requiredId(batchId, "batchId");
        Validation.required(prevLsn, "prevLsn");
        Validation.required(lsn, "lsn");
        data = List.copyOf(Validation.required(data, "data"));
        Validation.check(!lsn.isBefore(prevLsn), "lsn " + lsn + " is before prevLsn " + prevLsn);
        Validation.check((part == null) == (last == null), "part and last come together or not at all");
        Validation.check(part == null || part >= 1, "part must be at least 1");
    }

    /** A message without snapshot information. */
    public Changes(String batchId, Lsn prevLsn, Lsn lsn, long checksum, Integer part, Boolean last,
                   List<Change> data) {
        this(batchId, prevLsn, lsn, checksum, part, last, data, null);
    }

    /** This message with {@code info} as its snapshot information. */
    public Changes withSnapshot(SnapshotInfo info) {
        return new Changes(batchId, prevLsn, lsn, checksum, part, last, data, info);
    }

    /** A single-part message carrying the whole batch, with its checksum computed. */
    public static Changes of(ChangeBatch batch) {
        return new Changes(batch.batchId(), batch.prevLsn(), batch.lsn(), Checksum.of(batch.changes()),
                null, null, batch.changes());
    }

    /** One part of a multi-part batch, with its checksum computed. */
    public static Changes part(String batchId, Lsn prevLsn, Lsn lsn, int part, boolean last, List<Change> data) {
        return new Changes(batchId, prevLsn, lsn, Checksum.of(data), part, last, data);
    }

    /** True when {@link #checksum()} matches {@link #data()}. */
    public boolean checksumMatches() {
        return Checksum.of(data) == checksum;
    }

    /** True when this message is one part of a multi-part batch. */
    public boolean isPart() {
        return part != null;
    }

    /** True when this message completes its batch (a single-part batch, or the last part). */
    public boolean completesBatch() {
        return last == null || last;
    }

    /** This message as a batch (for a single-part message: the whole batch). */
    public ChangeBatch toBatch() {
        return new ChangeBatch(batchId, prevLsn, lsn, data);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
