package dev.tidemark.server.spi;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;

/**
 * A table refresh marker: from {@code lsn} on, the change log holds {@code entityType}'s complete
 * history.
 *
 * <p>A reader positioned before {@code lsn} that wants {@code entityType} must load a consistent snapshot
 * of the table at a cut at or after {@code lsn} (replacing every entity of that type it holds) and skip
 * that type's log changes at or before the cut. Capture writes a marker in the same atomic append as the
 * capture position that covers it: for every captured table when a history starts, when a table enters
 * the capture set, and when a table's shape changes in a way a merge of later changes cannot follow.
 *
 * @param lsn the position from which the type's history is complete (a commit position, or the start
 *     position of the history)
 * @param entityType the entity type (the table's name as capture names it)
 * @param reason why the marker was written, for operators and logs
 */
public record TableRefresh(Lsn lsn, String entityType, String reason) {

    public TableRefresh {
        requireNonNull(lsn, "lsn is null");
        requireNonNull(entityType, "entityType is null");
        requireNonNull(reason, "reason is null");
        if (entityType.isEmpty()) {
            throw new IllegalArgumentException("entityType is empty");
        }
    }
}
