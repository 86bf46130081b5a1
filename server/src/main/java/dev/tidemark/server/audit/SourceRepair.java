package dev.tidemark.server.audit;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import java.util.List;

/**
 * The changes that make some entities of a client equal to the source at a snapshot position: for each
 * divergent entity a {@code delete}, then, when the source holds the row, an {@code update} with the whole
 * row. The delete first makes the result the source row exactly, whatever extra members the client's copy
 * had (an {@code update} alone merges and would keep them).
 *
 * <p>Apply them as part of a batch that ends at {@link #position()}, after the log's changes up to that
 * position: {@code (clientLsn, position]} = the log tail of the client's types, then these changes. The
 * repaired entities then hold the source state at the snapshot, exactly as a resync snapshot would.
 *
 * @param position the snapshot's position
 * @param changes the repair changes, entity type by entity type, ids in order
 */
public record SourceRepair(Lsn position, List<Change> changes) {

    public SourceRepair {
        requireNonNull(position, "position is null");
        changes = List.copyOf(changes);
    }
}
