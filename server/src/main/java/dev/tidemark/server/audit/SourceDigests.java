package dev.tidemark.server.audit;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.TypeDigest;
import java.util.List;
import java.util.Optional;

/**
 * The digests of the source at one snapshot position.
 *
 * @param position the snapshot's position, the same cut a resync snapshot has (see
 *     {@code dev.tidemark.server.feed.SnapshotSource.Snapshot#position()}): a client whose committed LSN is
 *     exactly this position holds the same entities when its digests are equal
 * @param types one digest per requested entity type, sorted by entity type; a type the source does not
 *     publish has an empty digest (capture truncates a type that leaves the capture set)
 */
public record SourceDigests(Lsn position, List<TypeDigest> types) {

    public SourceDigests {
        requireNonNull(position, "position is null");
        types = List.copyOf(types);
    }

    /** The digest of {@code entityType}, if it was requested. */
    public Optional<TypeDigest> type(String entityType) {
        return types.stream().filter(t -> t.entityType().equals(entityType)).findFirst();
    }
}
