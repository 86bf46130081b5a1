package dev.tidemark.server.hub;

import dev.tidemark.server.feed.SnapshotSource;
import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.BucketSet;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.EntityDigest;
import dev.tidemark.protocol.EntityEntry;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.TypeDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The source reads of a source verify, each one snapshot of the source through the {@link SnapshotSource} (the
 * same cut and rendering as a resync snapshot): digests of every entity type, the entries of some buckets, the
 * rows that repair some entities. Streams the snapshot in chunks, so memory is one chunk plus the result (a
 * digest per type, the listed entries, the repaired rows). Runs on a snapshot thread; calls share nothing.
 *
 * <p>The same reads exist in {@code dev.tidemark.server.audit.SourceDigester}; this copy lives in the hub so the
 * hub does not depend on the audit package, which depends on the hub.
 */
final class SourceScanner {

    private static final int CHUNK_ROWS = 1000;
    private static final long CHUNK_BYTES = 4L << 20;

    /** Digests at one position, at {@link EntityDigest#MAX_BUCKET_BITS}. */
    record Digests(Lsn position, List<TypeDigest> types) {}

    /** A source's entries of some buckets at one position, sorted by id. */
    record Entries(Lsn position, List<EntityEntry> entries) {}

    /** The repair of some entities: for each, a delete, then its source row when the source holds it. */
    record Repair(Lsn position, List<Change> changes) {}

    /** More entries than allowed in the listed buckets. */
    static final class TooMany extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooMany(String message) {
            super(message);
        }
    }

    private final SnapshotSource snapshots;

    SourceScanner(SnapshotSource snapshots) {
        this.snapshots = requireNonNull(snapshots, "snapshots is null");
    }

    /**
     * The digests of every entity type the snapshot holds that {@code types} accepts, plus the types of
     * {@code alsoEmpty} it does not hold (as empty digests: a client holding such entities holds extra ones).
     */
    Digests digest(Predicate<String> types, List<String> alsoEmpty) {
        Map<String, TypeDigest.Builder> builders = new TreeMap<>();
        Lsn position;
        try (SnapshotSource.Snapshot snapshot = snapshots.open(types)) {
            for (String type : snapshot.entityTypes()) {
                if (types.test(type)) {
                    builders.put(type, TypeDigest.builder(type, EntityDigest.MAX_BUCKET_BITS));
                }
            }
            for (String type : alsoEmpty) {
                builders.computeIfAbsent(type, t -> TypeDigest.builder(t, EntityDigest.MAX_BUCKET_BITS));
            }
            rows(snapshot, row -> {
                TypeDigest.Builder builder = builders.get(row.entityType());
                if (builder != null) {
                    builder.add(row.entityId(), row.data());
                }
            });
            position = snapshot.position();
        }
        List<TypeDigest> digests = new ArrayList<>();
        builders.values().forEach(builder -> digests.add(builder.build()));
        return new Digests(position, digests);
    }

    /** The source's entries of {@code buckets}; at most {@code max}, else {@link TooMany}. */
    Entries entries(BucketSet buckets, int max) {
        List<EntityEntry> entries = new ArrayList<>();
        Lsn position;
        String type = buckets.entityType();
        try (SnapshotSource.Snapshot snapshot = snapshots.open(type::equals)) {
            rows(snapshot, row -> {
                if (row.entityType().equals(type)
                        && buckets.contains(EntityDigest.bucket(row.entityId(), buckets.bucketBits()))) {
                    if (entries.size() >= max) {
                        throw new TooMany("the differing buckets of " + type + " hold more than " + max
                                + " entities");
                    }
                    entries.add(new EntityEntry(row.entityId(), EntityDigest.hash(type, row.entityId(), row.data())));
                }
            });
            position = snapshot.position();
        }
        entries.sort(Comparator.comparing(EntityEntry::entityId));
        return new Entries(position, entries);
    }

    /** The changes that make {@code ids} (entity type to ids) the source's, at one snapshot. */
    Repair repair(Map<String, SortedSet<String>> ids) {
        Map<String, Change> found = new HashMap<>();
        Instant[] time = {null};
        Lsn position;
        try (SnapshotSource.Snapshot snapshot = snapshots.open(ids::containsKey)) {
            rows(snapshot, row -> {
                if (time[0] == null) {
                    time[0] = row.timestamp();
                }
                SortedSet<String> wanted = ids.get(row.entityType());
                if (wanted != null && wanted.contains(row.entityId())) {
                    found.put(row.entityType() + '\u0000' + row.entityId(), row);
                }
            });
            position = snapshot.position();
        }
        Instant at = time[0] != null ? time[0] : Instant.now();
        List<Change> changes = new ArrayList<>();
        new TreeMap<>(ids).forEach((type, set) -> set.forEach(id -> {
            changes.add(Change.delete(type, id, at));
            Change row = found.get(type + '\u0000' + id);
            if (row != null) {
                changes.add(row);
            }
        }));
        return new Repair(position, changes);
    }

    private static void rows(SnapshotSource.Snapshot snapshot, Consumer<Change> rows) {
        List<Change> chunk;
        while (!(chunk = snapshot.next(CHUNK_ROWS, CHUNK_BYTES)).isEmpty()) {
            for (Change change : chunk) {
                if (change.type() == ChangeType.UPDATE) {
                    rows.accept(change);
                }
            }
        }
    }
}
