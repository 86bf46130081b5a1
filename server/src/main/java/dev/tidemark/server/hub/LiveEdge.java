package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.LoggedChange;
import java.util.ArrayList;
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

    /**
     * Consecutive whole live ranges from {@code position} up to {@code limit}, as many as one batch holds: the
     * first always (a range over the bounds goes as parts), each further one only while the changes
     * {@code filter} passes stay within {@code maxChanges} and {@code maxBytes}. Empty when no range starts at
     * {@code position} within the limit (read the log instead). A client at the head gets one range; a client
     * behind it gets several, so its batches carry several source transactions, as catch-up pages do.
     *
     * <p>The caller has checked that no refresh marker of its types lies before {@code limit}, so a span never
     * passes one.
     */
    List<LiveRange> spanFrom(Lsn position, Lsn limit, EntityFilter filter, int maxChanges, long maxBytes) {
        List<LiveRange> span = new ArrayList<>();
        int changes = 0;
        long bytes = 0;
        Lsn at = position;
        while (at.isBefore(limit)) {
            LiveRange range = tail.startingAt(at);
            if (range == null || range.to().isAfter(limit)) {
                break;
            }
            int rangeChanges = 0;
            long rangeBytes = 0;
            for (LoggedChange row : range.changes()) {
                if (filter.all() || filter.matches(row.change().entityType())) {
                    rangeChanges++;
                    rangeBytes += ChangeSize.of(row.change());
                }
            }
            if (!span.isEmpty() && (changes + rangeChanges > maxChanges || bytes + rangeBytes > maxBytes)) {
                break;
            }
            span.add(range);
            changes += rangeChanges;
            bytes += rangeBytes;
            at = range.to();
        }
        return span;
    }

    /** The large transaction capture is writing after the tip, as far as it was logged ahead; or {@code null}. */
    EarlyTransaction early() {
        return tail.early();
    }

    /** The refresh markers after {@code after} up to {@code upTo} of types {@code filter} passes. */
    List<RefreshMarkers.Marker> markersWithin(Lsn after, Lsn upTo, EntityFilter filter) {
        return refreshes.within(after, upTo, filter);
    }
}
