package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import java.util.List;

/**
 * The edge of every stream: the capture tip, the live ranges kept near it ({@link LiveTail}) and the refresh
 * markers before it ({@link RefreshIndex}). Thread-safe.
 */
final class LiveEdge {

    private final LiveTail tail;
    private final RefreshIndex refreshes;

    LiveEdge(LiveTail tail, RefreshIndex refreshes) {
        this.tail = tail;
        this.refreshes = refreshes;
    }

    /** The capture position as far as the hub knows it. */
    Lsn tip() {
        return tail.tip();
    }

    /**
     * How far sessions may stream: the tip, as far as the refresh markers up to it are known, so no session
     * passes a marker it has not seen.
     */
    Lsn streamLimit() {
        Lsn tip = tail.tip();
        Lsn known = refreshes.loadedUpTo();
        return known.isBefore(tip) ? known : tip;
    }

    /** The live range starting exactly at {@code position}, or null (read the log instead). */
    LiveRange startingAt(Lsn position) {
        return tail.startingAt(position);
    }

    /** The refresh markers after {@code after} up to {@code upTo} of types {@code filter} passes. */
    List<RefreshMarkers.Marker> markersWithin(Lsn after, Lsn upTo, EntityFilter filter) {
        return refreshes.within(after, upTo, filter);
    }
}
