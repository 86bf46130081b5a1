package dev.tidemark.server.feed;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.TableRefresh;
import java.util.List;
import java.util.Optional;

/**
 * What one change-log commit made visible: every transaction that committed in ({@code from},
 * {@code to}].
 *
 * @param from the capture position before the commit (exclusive)
 * @param to the capture position after the commit (inclusive)
 * @param changes the changes in (lsn, seq) order when {@code complete}; otherwise empty, and a reader
 *     must read the range from the change log (a large transaction written in chunks is never held in
 *     memory whole)
 * @param complete whether {@code changes} holds every change of the range
 * @param refreshes the table refresh markers in ({@code from}, {@code to}] when the publisher knows them all
 *     (capture, whose commit wrote them); empty when it does not (a node that follows another's log), and a
 *     reader must read them from the change log
 */
public record CapturedRange(Lsn from, Lsn to, List<LoggedChange> changes, boolean complete,
                            Optional<List<TableRefresh>> refreshes) {

    public CapturedRange {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        changes = List.copyOf(changes);
        refreshes = requireNonNull(refreshes, "refreshes is null").map(List::copyOf);
        refreshes.ifPresent(markers -> markers.forEach(marker -> {
            if (!marker.lsn().isAfter(from) || marker.lsn().isAfter(to)) {
                throw new IllegalArgumentException("the refresh marker of " + marker.entityType() + " at "
                        + marker.lsn() + " lies outside the range (" + from + ", " + to + "]");
            }
        }));
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("range ends at " + to + " before it starts at " + from);
        }
        if (!complete && !changes.isEmpty()) {
            throw new IllegalArgumentException("an incomplete range carries no changes");
        }
    }

    /** A range whose refresh markers the publisher does not know: readers read them from the change log. */
    public CapturedRange(Lsn from, Lsn to, List<LoggedChange> changes, boolean complete) {
        this(from, to, changes, complete, Optional.empty());
    }
}
