package dev.tidemark.server.audit;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.EntityDigest;
import dev.tidemark.protocol.EntityEntry;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.TypeDigest;
import dev.tidemark.server.feed.SnapshotSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The server's half of verify-against-the-source: {@link EntityDigest} digests of the source rows, read
 * through a {@link SnapshotSource} — the same consistent snapshot, the same position (cut) and the same
 * rendering of each row as a resync snapshot, so a row's digest here equals the digest of the entity a
 * correct client holds for it.
 *
 * <p>Each call reads one snapshot: one {@code REPEATABLE READ} transaction on the source, streamed in
 * chunks (bounded memory: one chunk of rows plus the result), paced by a {@link RowPacer} after every
 * chunk. The result carries the snapshot's position; a client compares its own digests at exactly that
 * committed LSN. Thread-safe: calls share nothing.
 */
public final class SourceDigester {

    /** Rows per chunk read from the snapshot. */
    static final int CHUNK_ROWS = 1000;
    /** About this many bytes of row data per chunk. */
    static final long CHUNK_BYTES = 4L << 20;
    /** The most entities one {@link #repair} covers; beyond that, resync the entity type instead. */
    public static final int MAX_REPAIR = 10_000;

    private final SnapshotSource snapshots;
    private final Supplier<RowPacer> pacers;

    /**
     * @param snapshots where snapshots of the source come from
     * @param pacers a new pacer for each scan (for example {@code () -> RowPacer.perSecond(50_000)})
     */
    public SourceDigester(SnapshotSource snapshots, Supplier<RowPacer> pacers) {
        this.snapshots = requireNonNull(snapshots, "snapshots is null");
        this.pacers = requireNonNull(pacers, "pacers is null");
    }

    /**
     * The digests of the source's entity types at one snapshot.
     *
     * @param bucketBits entity type to the bucket bits of its digest (0 to {@link EntityDigest#MAX_BUCKET_BITS})
     * @throws IllegalArgumentException when a bucket bits value is out of range
     * @throws SourceAuditException when the scan was interrupted
     * @throws RuntimeException what the snapshot source throws when the source cannot be read
     */
    public SourceDigests digest(Map<String, Integer> bucketBits) {
        Map<String, TypeDigest.Builder> builders = new TreeMap<>();
        bucketBits.forEach((type, bits) -> builders.put(type, TypeDigest.builder(type, bits)));
        Lsn position = scan(builders.keySet(), row -> builders.get(row.entityType()).add(row.entityId(), row.data()));
        return new SourceDigests(position, builders.values().stream().map(TypeDigest.Builder::build).toList());
    }

    /**
     * The source's entries of the entities of {@code entityType} whose ids fall in {@code buckets}, to name
     * the divergent entities of a bucket whose digests differ.
     *
     * @param maxEntries the most entries to return
     * @throws IllegalArgumentException when the bits or a bucket are out of range
     * @throws SourceAuditException when the buckets hold more than {@code maxEntries} entities (ask for fewer
     *     buckets at more bits), or the scan was interrupted
     */
    public BucketEntries entries(String entityType, int bucketBits, Set<Integer> buckets, int maxEntries) {
        requireNonNull(entityType, "entityType is null");
        TypeDigest.empty(entityType, bucketBits);
        for (int bucket : buckets) {
            if (bucket < 0 || bucket >= 1 << bucketBits) {
                throw new IllegalArgumentException("bucket " + bucket + " does not exist at " + bucketBits + " bits");
            }
        }
        List<EntityEntry> entries = new ArrayList<>();
        Lsn position = scan(Set.of(entityType), row -> {
            if (buckets.contains(EntityDigest.bucket(row.entityId(), bucketBits))) {
                if (entries.size() >= maxEntries) {
                    throw new SourceAuditException("buckets " + new TreeSet<>(buckets) + " of " + entityType
                            + " hold more than " + maxEntries + " entities: list fewer buckets at more bucket bits");
                }
                entries.add(new EntityEntry(row.entityId(), EntityDigest.hash(entityType, row.entityId(), row.data())));
            }
        });
        entries.sort(Comparator.comparing(EntityEntry::entityId));
        return new BucketEntries(position, entityType, bucketBits, buckets, entries);
    }

    /**
     * The changes that make the given entities equal to the source at one snapshot (see {@link SourceRepair}).
     *
     * @param entityIds entity type to the ids of its divergent entities
     * @throws IllegalArgumentException when more than {@link #MAX_REPAIR} entities are asked for: resync those
     *     entity types instead
     * @throws SourceAuditException when the scan was interrupted
     */
    public SourceRepair repair(Map<String, ? extends Collection<String>> entityIds) {
        Map<String, SortedSet<String>> wanted = new TreeMap<>();
        long total = 0;
        for (Map.Entry<String, ? extends Collection<String>> type : entityIds.entrySet()) {
            wanted.put(type.getKey(), new TreeSet<>(type.getValue()));
            total += type.getValue().size();
        }
        if (total > MAX_REPAIR) {
            throw new IllegalArgumentException(total + " entities to repair is more than " + MAX_REPAIR
                    + ": resync entity types " + wanted.keySet() + " instead");
        }
        Map<String, Map<String, Change>> found = new HashMap<>();
        Instant[] time = {null};
        Lsn position = scan(wanted.keySet(), time, row -> {
            if (wanted.get(row.entityType()).contains(row.entityId())) {
                found.computeIfAbsent(row.entityType(), t -> new HashMap<>()).put(row.entityId(), row);
            }
        });
        Instant at = time[0] != null ? time[0] : Instant.now();
        List<Change> changes = new ArrayList<>();
        wanted.forEach((type, ids) -> ids.forEach(id -> {
            changes.add(Change.delete(type, id, at));
            Change row = found.getOrDefault(type, Map.of()).get(id);
            if (row != null) {
                changes.add(row);
            }
        }));
        return new SourceRepair(position, changes);
    }

    private Lsn scan(Set<String> entityTypes, Consumer<Change> rows) {
        return scan(entityTypes, new Instant[1], rows);
    }

    /** Reads every row of {@code entityTypes} in one snapshot; returns the snapshot's position. */
    private Lsn scan(Set<String> entityTypes, Instant[] time, Consumer<Change> rows) {
        Set<String> types = Set.copyOf(entityTypes);
        RowPacer pacer = requireNonNull(pacers.get(), "the pacer supplier returned null");
        try (SnapshotSource.Snapshot snapshot = snapshots.open(types::contains)) {
            List<Change> chunk;
            while (!(chunk = snapshot.next(CHUNK_ROWS, CHUNK_BYTES)).isEmpty()) {
                for (Change change : chunk) {
                    if (time[0] == null) {
                        time[0] = change.timestamp();
                    }
                    if (change.type() == ChangeType.UPDATE && types.contains(change.entityType())) {
                        rows.accept(change);
                    }
                }
                pacer.pace(chunk.size());
            }
            return snapshot.position();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceAuditException("the audit of " + new TreeSet<>(types) + " was interrupted", e);
        }
    }
}
