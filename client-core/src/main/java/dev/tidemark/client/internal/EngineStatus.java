package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.time.Instant;
import java.util.List;

/**
 * A snapshot of a {@link SyncEngine}'s progress.
 *
 * @param state where the engine is
 * @param clientId the client id, or {@code null} before start
 * @param historyId the store's history, or {@code null} before the first {@code welcome} of a new store
 * @param committedLsn the store's committed LSN
 * @param serverLsn the highest server position seen: {@code welcome}'s, a batch's end, a verify answer's
 * @param appliedBatches batches applied since start
 * @param appliedChanges changes applied since start
 * @param lastSourceCommit the source commit time of the last change applied, or {@code null}
 * @param incompleteEntityTypes the client's entity types the server cannot capture correctly now
 * @param snapshot the per-table snapshot being received, or {@code null}
 */
public record EngineStatus(EngineState state, String clientId, String historyId, Lsn committedLsn, Lsn serverLsn,
                           long appliedBatches, long appliedChanges, Instant lastSourceCommit,
                           List<String> incompleteEntityTypes, SnapshotReceipt snapshot) {

    public EngineStatus {
        requireNonNull(state, "state is null");
        requireNonNull(committedLsn, "committedLsn is null");
        requireNonNull(serverLsn, "serverLsn is null");
        incompleteEntityTypes = incompleteEntityTypes == null ? List.of() : List.copyOf(incompleteEntityTypes);
    }

    /** A status with no incomplete entity type and no snapshot under way. */
    public EngineStatus(EngineState state, String clientId, String historyId, Lsn committedLsn, Lsn serverLsn,
                        long appliedBatches, long appliedChanges, Instant lastSourceCommit) {
        this(state, clientId, historyId, committedLsn, serverLsn, appliedBatches, appliedChanges, lastSourceCommit,
                List.of(), null);
    }

    /**
     * Connected, the store has everything up to the server position seen, and every entity type the client
     * receives is complete on the server.
     */
    public boolean caughtUp() {
        return state == EngineState.CONNECTED && !committedLsn.isBefore(serverLsn) && incompleteEntityTypes.isEmpty();
    }
}
