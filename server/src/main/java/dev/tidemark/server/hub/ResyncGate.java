package dev.tidemark.server.hub;

import static java.util.Objects.requireNonNull;

import dev.tidemark.recovery.Admission;
import dev.tidemark.recovery.ResyncPacer;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pace of the hub's expensive requests: the {@link ResyncPacer}'s admissions of snapshots (resync,
 * per-table, source reads) at a paced rate, and the per-client {@code sync_verify} and {@code source_verify}
 * rate limits. Kept in the {@link ClusterState}: this node's memory, or shared by every node of a cluster.
 * When the state cannot be reached, every request is refused (fail closed): the client is told to retry in
 * {@link #UNAVAILABLE_RETRY}, and the server logs why. Thread-safe.
 */
final class ResyncGate {

    /** How long a client waits when the shared state cannot be reached. */
    static final Duration UNAVAILABLE_RETRY = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ResyncGate.class);

    private final ClusterState state;

    ResyncGate(ClusterState state) {
        this.state = requireNonNull(state, "state is null");
    }

    /** Admits a resync of {@code clientId} now, or says when it may come back. */
    Admission admit(String clientId) {
        return failClosed("a resync snapshot", clientId, () -> state.admitResync(clientId));
    }

    /** Allows one {@code sync_verify} of {@code clientId} now, or says how long it must wait. */
    Admission verify(String clientId) {
        return failClosed("sync_verify", clientId, () -> state.allow(clientId, ClusterState.RequestKind.SYNC_VERIFY));
    }

    /** Allows one {@code source_verify} of {@code clientId} now, or says how long it must wait. */
    Admission sourceVerify(String clientId) {
        return failClosed("source_verify", clientId,
                () -> state.allow(clientId, ClusterState.RequestKind.SOURCE_VERIFY));
    }

    private static Admission failClosed(String what, String clientId, Supplier<Admission> admission) {
        try {
            return admission.get();
        } catch (ClusterStateException e) {
            log.warn("refused {} of client '{}' (told to retry in {}): {}", what, clientId, UNAVAILABLE_RETRY,
                    e.getMessage());
            return new Admission(false, UNAVAILABLE_RETRY);
        }
    }

    /** Clients told to come back for their resync and not yet returned. */
    int waitingCount() {
        return state.resyncWaiting();
    }
}
