package dev.tidemark.server.audit;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.EntityEntry;
import dev.tidemark.protocol.Lsn;
import java.util.List;
import java.util.Set;

/**
 * The source's entries (id and hash) of the entities of one type in some buckets, at one snapshot position.
 *
 * @param position the snapshot's position
 * @param entityType the entity type
 * @param bucketBits the bucket bits the buckets are counted in
 * @param buckets the buckets listed
 * @param entries the entries, sorted by id
 */
public record BucketEntries(Lsn position, String entityType, int bucketBits, Set<Integer> buckets,
                            List<EntityEntry> entries) {

    public BucketEntries {
        requireNonNull(position, "position is null");
        requireNonNull(entityType, "entityType is null");
        buckets = Set.copyOf(buckets);
        entries = List.copyOf(entries);
    }
}
