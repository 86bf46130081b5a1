package dev.tidemark.client.status;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of a client's progress.
 *
 * @param state where the client is
 * @param clientId the client id
 * @param historyId the history the store's position belongs to, or {@code null} for a store that
 *     has not met a server yet
 * @param committedLsn the store's committed LSN: everything up to it is durably applied
 * @param serverLsn the highest server position the client has seen ({@code welcome}, a batch's end,
 *     a verify answer); {@link Lsn#ZERO} before the first {@code welcome}
 * @param appliedBatches batches applied since start
 * @param appliedChanges changes applied since start
 * @param lastSourceCommit the source commit time of the last change applied since start, or
 *     {@code null}
 * @param incompleteEntityTypes the client's entity types the server cannot capture correctly now: the
 *     store's copy of them is not the source's, and the client is not {@link #caughtUp()} while any is listed
 * @param snapshot the snapshot being received, or {@code null}
 * @param server the server node the client is connected to — or, when not connected, the one it is connecting
 *     or about to reconnect to (with several server URLs, the client moves between them); {@code null} before
 *     the first connection attempt
 */
public record SyncStatus(ClientState state, String clientId, String historyId, Lsn committedLsn, Lsn serverLsn,
                         long appliedBatches, long appliedChanges, Instant lastSourceCommit,
                         List<String> incompleteEntityTypes, SnapshotProgress snapshot, URI server) {

    public SyncStatus {
        requireNonNull(state, "state is null");
        requireNonNull(committedLsn, "committedLsn is null");
        requireNonNull(serverLsn, "serverLsn is null");
        incompleteEntityTypes = incompleteEntityTypes == null ? List.of() : List.copyOf(incompleteEntityTypes);
    }

    /** A status that names no server node. */
    public SyncStatus(ClientState state, String clientId, String historyId, Lsn committedLsn, Lsn serverLsn,
                      long appliedBatches, long appliedChanges, Instant lastSourceCommit,
                      List<String> incompleteEntityTypes, SnapshotProgress snapshot) {
        this(state, clientId, historyId, committedLsn, serverLsn, appliedBatches, appliedChanges, lastSourceCommit,
                incompleteEntityTypes, snapshot, null);
    }

    /** A status with no incomplete entity type and no snapshot under way. */
    public SyncStatus(ClientState state, String clientId, String historyId, Lsn committedLsn, Lsn serverLsn,
                      long appliedBatches, long appliedChanges, Instant lastSourceCommit) {
        this(state, clientId, historyId, committedLsn, serverLsn, appliedBatches, appliedChanges, lastSourceCommit,
                List.of(), null, null);
    }

    /** The server node the client is connected to, or connecting to; see {@link #server}. */
    public Optional<URI> serverNode() {
        return Optional.ofNullable(server);
    }

    /** The snapshot being received, if any. */
    public Optional<SnapshotProgress> snapshotProgress() {
        return Optional.ofNullable(snapshot);
    }

    /** True while the client is welcomed by the server and streaming. */
    public boolean connected() {
        return state == ClientState.CONNECTED;
    }

    /**
     * How far the store is behind the server position seen, in bytes of PostgreSQL's write-ahead log
     * ({@code serverLsn - committedLsn}, never negative).
     */
    public long lagBytes() {
        return committedLsn.isBefore(serverLsn) ? serverLsn.value() - committedLsn.value() : 0;
    }

    /**
     * Connected, with everything up to the server position seen applied, and every entity type the client
     * receives complete on the server.
     */
    public boolean caughtUp() {
        return connected() && !committedLsn.isBefore(serverLsn) && incompleteEntityTypes.isEmpty();
    }

    /**
     * How long ago, by this machine's clock, the last applied change was committed at the source;
     * empty before the first change. A rough lag in time: it grows while the source is quiet.
     */
    public Optional<Duration> sinceLastSourceCommit(Instant now) {
        return lastSourceCommit == null ? Optional.empty() : Optional.of(Duration.between(lastSourceCommit, now));
    }
}
