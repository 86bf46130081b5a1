package dev.tidemark.server.hub;

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
         * change): first a {@code truncate} per entity type, then every row as an {@code update}; an empty list
         * when the snapshot is exhausted.
         */
        List<Change> next(int maxChanges, long maxBytes);

        /** Ends the snapshot's read transaction. */
        @Override
        void close();
    }
}
