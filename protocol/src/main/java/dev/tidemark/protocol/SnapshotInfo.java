package dev.tidemark.protocol;

import java.util.List;

/**
 * The optional {@code snapshot} object of a {@code changes} message that carries a per-table snapshot
 * (protocol.md, "Snapshots per table"): which entity types the batch replaces, and how far it got.
 *
 * @param entityTypes the entity types whose every entity the batch replaces (a {@code truncate} of each,
 *     then its rows as {@code update}s)
 * @param rowsSent snapshot rows sent so far, this message included
 * @param rowsEstimated the server's estimate of the snapshot's rows (PostgreSQL's statistics), or
 *     {@code null} when it has none
 * @param logChecksum the change log's checksum of the client's entity types' changes in
 *     ({@code prevLsn}, {@code lsn}] — what the batch stands for in the log's running checksum — or
 *     {@code null} when the server cannot tell. The client adds {@code logChecksum} minus the checksum of the
 *     changes it applied with the batch to its checksum offset, so its verify checksum stays the log's.
 */
public record SnapshotInfo(List<String> entityTypes, long rowsSent, Long rowsEstimated, Long logChecksum) {

    public SnapshotInfo {
        entityTypes = List.copyOf(Validation.required(entityTypes, "snapshot.entityTypes"));
        Validation.check(!entityTypes.isEmpty(), "snapshot.entityTypes is empty");
        Validation.check(rowsSent >= 0, "snapshot.rowsSent is negative");
        Validation.check(rowsEstimated == null || rowsEstimated >= 0, "snapshot.rowsEstimated is negative");
    }
}
