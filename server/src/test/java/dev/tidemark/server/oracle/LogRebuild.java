package dev.tidemark.server.oracle;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.TableRefresh;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The state the change log describes, rebuilt from it alone as a client would: {@code update} merges
 * the data's members into the entity (creating it), {@code delete} removes the entity, {@code truncate}
 * removes every entity of its type, {@code move} removes the entity under {@code fromId} and stores it,
 * merged with the data, under the entity id. Values are kept as {@link RawJson} reads them.
 */
final class LogRebuild {

    private final Map<String, Map<String, Map<String, Object>>> entities = new HashMap<>();
    private final Map<String, Long> counts = new HashMap<>();
    private long changes;

    /**
     * Reads the whole log in pages and applies every change, honouring the refresh markers as a reader
     * at {@code 0/0} must: at a marker (lsn {@code L}, type {@code T}) not yet covered, it loads a snapshot
     * of {@code T} at a cut {@code C >= L} (replacing every entity of {@code T}) and skips {@code T}'s changes
     * at or before {@code C}. A marker the harness has no snapshot for is recorded in {@link #problems()}.
     */
    static LogRebuild of(ChangeLog log, TableSnapshots snapshots) {
        LogRebuild rebuild = new LogRebuild();
        Lsn end = log.state().orElseThrow().capturePosition();
        List<TableRefresh> markers = log.refreshes(Lsn.ZERO, end);
        rebuild.markers = markers.size();
        int next = 0;
        LogPosition after = new LogPosition(Lsn.ZERO, 0);
        while (true) {
            List<LoggedChange> page = log.read(after, end, Set.of(), 5_000);
            if (page.isEmpty()) {
                break;
            }
            for (LoggedChange logged : page) {
                while (next < markers.size() && !markers.get(next).lsn().isAfter(logged.lsn())) {
                    rebuild.refresh(markers.get(next++), snapshots);
                }
                Lsn cut = rebuild.covered.get(logged.change().entityType());
                if (cut != null && !logged.lsn().isAfter(cut)) {
                    rebuild.skipped++;
                    continue;
                }
                rebuild.apply(logged.change());
            }
            after = page.get(page.size() - 1).position();
        }
        while (next < markers.size()) {
            rebuild.refresh(markers.get(next++), snapshots);
        }
        return rebuild;
    }

    private final Map<String, Lsn> covered = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private int markers;
    private int snapshotsLoaded;
    private long skipped;

    private void refresh(TableRefresh marker, TableSnapshots snapshots) {
        Lsn cut = covered.get(marker.entityType());
        if (cut != null && !marker.lsn().isAfter(cut)) {
            return;
        }
        Optional<TableSnapshots.TableSnapshot> snapshot = snapshots.atOrAfter(marker.entityType(), marker.lsn());
        if (snapshot.isEmpty()) {
            problems.add("refresh marker " + marker + " but the harness took no snapshot of " + marker.entityType()
                    + " at or after it");
            return;
        }
        entities.computeIfAbsent(marker.entityType(), t -> new HashMap<>()).clear();
        snapshot.get().changes().forEach(this::applyUncounted);
        covered.put(marker.entityType(), snapshot.get().cut());
        snapshotsLoaded++;
    }

    /** Markers the rebuild could not honour; empty when it could honour all. */
    List<String> problems() {
        return problems;
    }

    /** "markers m, snapshots loaded s, changes skipped k". */
    String refreshSummary() {
        return "refresh markers " + markers + ", snapshots loaded " + snapshotsLoaded + ", log changes covered by them "
                + skipped;
    }

    private void applyUncounted(Change change) {
        apply(change);
        changes--;
        counts.computeIfPresent(change.type().name(), (type, n) -> n == 1 ? null : n - 1);
    }

    @SuppressWarnings("unchecked")
    void apply(Change change) {
        changes++;
        counts.merge(change.type().name(), 1L, Long::sum);
        Map<String, Map<String, Object>> ofType = entities.computeIfAbsent(change.entityType(), t -> new HashMap<>());
        switch (change.type().name()) {
            case "UPDATE" -> ofType.computeIfAbsent(change.entityId(), id -> new LinkedHashMap<>())
                    .putAll((Map<String, Object>) RawJson.parse(change.data()));
            case "DELETE" -> ofType.remove(change.entityId());
            case "TRUNCATE" -> ofType.clear();
            case "MOVE" -> {
                Map<String, Object> moved = ofType.remove(change.fromId());
                Map<String, Object> target = moved != null ? moved : new LinkedHashMap<>();
                target.putAll((Map<String, Object>) RawJson.parse(change.data()));
                ofType.put(change.entityId(), target);
            }
            default -> throw new IllegalStateException("the oracle does not know change type " + change.type());
        }
    }

    Map<String, Map<String, Object>> entities(String entityType) {
        return entities.getOrDefault(entityType, Map.of());
    }

    long changes() {
        return changes;
    }

    /** Changes read, per type. */
    Map<String, Long> counts() {
        return counts;
    }
}
