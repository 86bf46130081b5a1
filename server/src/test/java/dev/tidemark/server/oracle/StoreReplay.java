package dev.tidemark.server.oracle;

import dev.tidemark.client.spi.ApplyOutcome;
import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
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
 * The change log applied to a real client store (the SQLite store, through {@link SyncStore#apply}) as the hub
 * sends it to a client at {@code 0/0}: whole transactions in chained batches of at most {@value #BATCH_CHANGES}
 * changes (a larger transaction is one batch), and at a refresh marker (lsn {@code M}, type {@code T}) not yet
 * covered, a new batch that starts with a {@code truncate} of {@code T} and the rows of the harness's snapshot of
 * {@code T} at a cut {@code C >= M}; {@code T}'s log changes up to {@code C} are then skipped. That is the state
 * the hub's one batch at {@code C} leaves (here the other types' changes up to {@code C} follow the rows rather
 * than precede them). The store's entities are then read back for the same comparison as {@link LogRebuild}'s.
 */
final class StoreReplay {

    static final int BATCH_CHANGES = 500;

    private final SyncStore store;
    private final Map<String, Lsn> covered = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<Change> batch = new ArrayList<>();
    private Lsn batchEnd;
    private long batches;
    private long applied;

    private StoreReplay(SyncStore store) {
        this.store = store;
    }

    /** Applies the whole log to {@code store} (new, at {@code 0/0}) in batches. */
    static StoreReplay of(ChangeLog log, TableSnapshots snapshots, SyncStore store) {
        StoreReplay replay = new StoreReplay(store);
        store.resetHistory(log.state().orElseThrow().historyId());
        Lsn end = log.state().orElseThrow().capturePosition();
        List<TableRefresh> markers = log.refreshes(Lsn.ZERO, end);
        int next = 0;
        LogPosition after = new LogPosition(Lsn.ZERO, 0);
        while (true) {
            List<LoggedChange> page = log.read(after, end, Set.of(), 5_000);
            if (page.isEmpty()) {
                break;
            }
            for (LoggedChange logged : page) {
                if (replay.batchEnd != null && !logged.lsn().equals(replay.batchEnd)
                        && replay.batch.size() >= BATCH_CHANGES) {
                    replay.flush();
                }
                while (next < markers.size() && !markers.get(next).lsn().isAfter(logged.lsn())) {
                    replay.refresh(markers.get(next++), snapshots);
                }
                Lsn cut = replay.covered.get(logged.change().entityType());
                if (cut == null || logged.lsn().isAfter(cut)) {
                    replay.batch.add(logged.change());
                }
                replay.batchEnd = logged.lsn();
            }
            after = page.get(page.size() - 1).position();
        }
        while (next < markers.size()) {
            replay.refresh(markers.get(next++), snapshots);
        }
        replay.flush();
        if (store.committedLsn().isBefore(end)) {
            // The position-only batch that brings a client to the end of the log.
            replay.batchEnd = end;
            replay.flush();
        }
        return replay;
    }

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
        if (!marker.lsn().equals(batchEnd)) {
            // Markers at one position (every table's at the history start) share one batch, as the hub's one cut.
            flush();
        }
        List<Change> rows = new ArrayList<>();
        rows.add(Change.truncate(marker.entityType(), java.time.Instant.EPOCH));
        snapshot.get().changes().stream().filter(c -> c.type() != dev.tidemark.protocol.ChangeType.TRUNCATE)
                .forEach(rows::add);
        // The next batch starts with the snapshot; the transactions after the marker join it.
        batch.addAll(rows);
        batchEnd = marker.lsn();
        covered.put(marker.entityType(), snapshot.get().cut());
    }

    private void flush() {
        if (batchEnd == null || !batchEnd.isAfter(store.committedLsn())) {
            if (!batch.isEmpty()) {
                throw new IllegalStateException("a batch of " + batch.size() + " changes ends at " + batchEnd
                        + ", not after the store's position " + store.committedLsn());
            }
            return;
        }
        ChangeBatch changes = new ChangeBatch("oracle-" + ++batches, store.committedLsn(), batchEnd, List.copyOf(batch));
        ApplyResult result = store.apply(changes);
        if (result.outcome() != ApplyOutcome.APPLIED) {
            throw new IllegalStateException("the store did not apply batch " + changes.batchId() + " (" + changes.prevLsn()
                    + " to " + changes.lsn() + "): " + result);
        }
        applied += batch.size();
        batch.clear();
    }

    /** Markers the replay could not honour; empty when it could honour all. */
    List<String> problems() {
        return problems;
    }

    /** "N batches, M changes applied". */
    String summary() {
        return batches + " batches, " + applied + " changes applied to the SQLite store";
    }

    /** The store's entities of {@code entityType}, parsed as {@link RawJson} reads them. */
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> entities(String entityType) {
        Map<String, Map<String, Object>> entities = new HashMap<>();
        store.forEach(entityType, (id, json) -> entities.put(id,
                new LinkedHashMap<>((Map<String, Object>) RawJson.parse(json))));
        return entities;
    }
}
