package dev.tidemark.server.feed;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import java.util.List;
import java.util.function.Predicate;

/**
 * Reads consistent snapshots of the source for clients that must resync. The hub calls it on a reader
 * thread; the snapshot's rows are streamed to the client as one batch, then the change log after the
 * snapshot's {@link Snapshot#position()} follows as usual.
 */
public interface SnapshotSource {

    /**
     * Opens a snapshot of every entity type {@code entityTypes} accepts. Blocks while it is taken.
     *
     * @throws RuntimeException when the source cannot be read; nothing was sent
     */
    Snapshot open(Predicate<String> entityTypes);

    /**
     * Opens a snapshot of some entities of ONE entity type, at an exact position like {@link #open}: its
     * changes are an {@code update} of each of those entities that has a row and a {@code delete} of each that
     * has none (no {@code truncate}), so applying them repairs exactly those entities. For a narrow repair
     * (verify against the source). Blocks while it is taken.
     *
     * @param entityIds entity ids as the change log writes them (the key as text; a JSON array for a composite
     *     key)
     * @throws IllegalArgumentException when the type is not captured, an id is not one of its ids, or its key
     *     type has ids that cannot be looked up (json, arrays, timestamps, bytea: snapshot the whole type)
     * @throws RuntimeException when the source cannot be read; nothing was sent
     */
    default Snapshot openEntities(String entityType, java.util.Collection<String> entityIds) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot snapshot single entities");
    }

    /**
     * Opens a snapshot of the rows of ONE entity type whose primary key lies from {@code firstId} to
     * {@code lastId}, both included, in the key's order ({@code null}: no bound), at an exact position like
     * {@link #open}: an {@code update} per row, in key order, and no {@code truncate} or {@code delete} (the
     * caller removes what it holds in the range and the snapshot lacks). Blocks while it is taken.
     *
     * @throws IllegalArgumentException as {@link #openEntities}
     * @throws RuntimeException when the source cannot be read; nothing was sent
     */
    default Snapshot openKeyRange(String entityType, String firstId, String lastId) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot snapshot a key range");
    }

    /** One open snapshot: its position, then its changes in chunks. Used by one thread. */
    interface Snapshot extends AutoCloseable {

        /**
         * The position the snapshot stands for, exactly: the snapshot holds every logged transaction of its
         * entity types that committed at or before it, and none after it (see
         * {@code dev.tidemark.recovery.SnapshotCut}). The tail after it therefore carries each change the
         * snapshot lacks once, and none it already holds.
         */
        Lsn position();

        /** The entity types the snapshot holds. */
        List<String> entityTypes();

        /** An estimate of the snapshot's rows (from the source's statistics), for progress; empty when unknown. */
        default java.util.OptionalLong estimatedRows() {
            return java.util.OptionalLong.empty();
        }

        /**
         * The next changes, at most {@code maxChanges} and about {@code maxBytes} of change data (at least one
         * change): for {@link #open}, first a {@code truncate} per entity type, then every row as an
         * {@code update} (each type's rows in key order); an empty list when the snapshot is exhausted.
         */
        List<Change> next(int maxChanges, long maxBytes);

        /** Ends the snapshot's read transaction. */
        @Override
        void close();
    }
}
