package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.DigestHash;
import dev.tidemark.protocol.EntityDigest;
import dev.tidemark.protocol.EntityEntry;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.ProtocolException;
import dev.tidemark.protocol.TypeDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The client's half of verify-against-the-source: the {@link EntityDigest} digests of the entities a
 * {@link SyncStore} holds, computed the way the server computes them over the source rows, so that equal
 * digests at one position mean the store equals the source at that position.
 *
 * <p>Reads go through {@link SyncStore#forEach} one entity type at a time, so memory stays bounded by the
 * bucket vector (at most 2<sup>{@value EntityDigest#MAX_BUCKET_BITS}</sup> buckets), and by the listed
 * buckets' entries for {@link #entries}. The digests are only meaningful while no batch is applied: the
 * caller runs them while the stream is paused at the server's position, and {@link #digest(Map)} refuses a
 * store that moved meanwhile.
 */
public final class StoreDigester {

    private final SyncStore store;

    public StoreDigester(SyncStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    /**
     * The digests of the store at its committed LSN.
     *
     * @param position the committed LSN the digests stand for
     * @param types one digest per requested entity type, sorted by entity type
     */
    public record StoreDigests(Lsn position, List<TypeDigest> types) {

        public StoreDigests {
            requireNonNull(position, "position is null");
            types = List.copyOf(types);
        }
    }

    /**
     * Digests every entity type of {@code bucketBits} (entity type to bucket bits).
     *
     * @throws IllegalStateException when the store's committed LSN moved while it was read: digest again
     *     while no batch is applied
     */
    public StoreDigests digest(Map<String, Integer> bucketBits) {
        Lsn before = store.committedLsn();
        List<TypeDigest> types = new ArrayList<>();
        new TreeMap<>(bucketBits).forEach((type, bits) -> types.add(digest(type, bits)));
        Lsn after = store.committedLsn();
        if (!after.equals(before)) {
            throw new IllegalStateException("the store moved from " + before + " to " + after
                    + " while its digests were computed; compute them again while no batch is applied");
        }
        return new StoreDigests(before, types);
    }

    /** The digest of one entity type, its ids split into 2<sup>{@code bucketBits}</sup> buckets. */
    public TypeDigest digest(String entityType, int bucketBits) {
        TypeDigest.Builder digest = TypeDigest.builder(entityType, bucketBits);
        store.forEach(entityType, (id, data) -> digest.add(id, hash(entityType, id, data)));
        return digest.build();
    }

    /**
     * The entries (id and hash) of the entities of {@code entityType} whose ids fall in {@code buckets} at
     * {@code bucketBits}, sorted by id.
     */
    public List<EntityEntry> entries(String entityType, int bucketBits, Set<Integer> buckets) {
        requireNonNull(buckets, "buckets is null");
        List<EntityEntry> entries = new ArrayList<>();
        store.forEach(entityType, (id, data) -> {
            if (buckets.contains(EntityDigest.bucket(id, bucketBits))) {
                entries.add(new EntityEntry(id, hash(entityType, id, data)));
            }
        });
        entries.sort(Comparator.comparing(EntityEntry::entityId));
        return entries;
    }

    /**
     * The entity's hash. Data the store holds that is not JSON at all is hashed as JSON {@code null}, which
     * no source row (always an object) can equal: the entity shows as divergent and is repaired.
     */
    private static DigestHash hash(String entityType, String entityId, String data) {
        try {
            return EntityDigest.hash(entityType, entityId, data);
        } catch (ProtocolException e) {
            return EntityDigest.hash(entityType, entityId, "null");
        }
    }
}
