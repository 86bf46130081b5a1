package dev.tidemark.server.feed;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.LoggedChange;
import java.util.List;

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
 */
public record CapturedRange(Lsn from, Lsn to, List<LoggedChange> changes, boolean complete) {

    public CapturedRange {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        changes = List.copyOf(changes);
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("range ends at " + to + " before it starts at " + from);
        }
        if (!complete && !changes.isEmpty()) {
            throw new IllegalArgumentException("an incomplete range carries no changes");
        }
    }
}
