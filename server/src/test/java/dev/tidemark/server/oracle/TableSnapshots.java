package dev.tidemark.server.oracle;

import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.capture.SourceSnapshots;
import dev.tidemark.server.feed.SnapshotSource;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Snapshots of single tables, taken by the real snapshot code ({@link SourceSnapshots}, what clients are
 * sent) at moments when the workload does not write: right after capture started (the history start's
 * refresh markers) and right after each schema change, once its refresh marker is in the log. The
 * rebuild loads one at each refresh marker, as the marker's contract asks of a reader before it.
 */
final class TableSnapshots {

    /** One table's snapshot: its cut and its changes (a truncate, then every row). */
    record TableSnapshot(String entityType, Lsn cut, List<Change> changes) {}

    private final SnapshotSource source;
    private final ChangeLog log;
    private final List<TableSnapshot> taken = new ArrayList<>();

    TableSnapshots(SourceSettings settings, String publication, ChangeLog log) {
        this.source = new SourceSnapshots(settings, publication, log);
        this.log = log;
    }

    /** Waits until the log holds a refresh marker of {@code entityType} after {@code before}, then snapshots it. */
    void afterMarker(String entityType, Lsn before) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> log.refreshes(before, Lsn.MAX).stream().anyMatch(r -> r.entityType().equals(entityType)));
        take(entityType);
    }

    void take(String entityType) {
        try (SnapshotSource.Snapshot snapshot = source.open(entityType::equals)) {
            List<Change> changes = new ArrayList<>();
            for (List<Change> chunk = snapshot.next(10_000, Long.MAX_VALUE); !chunk.isEmpty();
                    chunk = snapshot.next(10_000, Long.MAX_VALUE)) {
                changes.addAll(chunk);
            }
            taken.add(new TableSnapshot(entityType, snapshot.position(), changes));
        }
    }

    /** The earliest snapshot of {@code entityType} whose cut is at or after {@code lsn}. */
    Optional<TableSnapshot> atOrAfter(String entityType, Lsn lsn) {
        return taken.stream().filter(s -> s.entityType().equals(entityType) && !s.cut().isBefore(lsn))
                .min((a, b) -> a.cut().compareTo(b.cut()));
    }

    int size() {
        return taken.size();
    }
}
