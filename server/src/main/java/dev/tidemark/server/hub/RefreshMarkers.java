package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import java.util.List;

/**
 * Where the hub reads table refresh markers: "from {@code lsn} on, the log holds {@code entityType}'s complete
 * history" (the change log's {@code refreshes}). A client positioned before a marker of a type it receives is
 * sent a snapshot of that type (protocol.md, "Snapshots per table").
 */
@FunctionalInterface
interface RefreshMarkers {

    /** A log without markers. */
    RefreshMarkers NONE = (after, upTo) -> List.of();

    /** One marker. */
    record Marker(Lsn lsn, String entityType) {}

    /** The markers of {@code changeLog}. */
    static RefreshMarkers of(dev.tidemark.server.spi.ChangeLog changeLog) {
        return (after, upTo) -> changeLog.refreshes(after, upTo).stream()
                .map(refresh -> new Marker(refresh.lsn(), refresh.entityType()))
                .toList();
    }

    /** The markers with {@code after < lsn <= upTo}, in lsn order. Blocking: call on a reader thread. */
    List<Marker> between(Lsn after, Lsn upTo);
}
