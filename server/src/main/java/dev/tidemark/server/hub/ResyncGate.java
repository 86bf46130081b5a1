package dev.tidemark.server.hub;

import static java.util.Objects.requireNonNull;

import dev.tidemark.recovery.Admission;
import dev.tidemark.recovery.ResyncPacer;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pace of the hub's expensive requests: the {@link ResyncPacer}'s admissions of snapshots (resync,
 * per-table, source reads) at a paced rate, and the per-client {@code sync_verify} and {@code source_verify}
 * rate limits. Kept in the {@link ClusterState}: this node's memory, or shared by every node of a cluster.
 *
 * <p>Every question goes to the state on the hub's admission threads, never on the asking session's event loop
 * (a round trip to a slow or unreachable database must not stall the other connections of that loop); the
 * answer comes back on the executor the session names. When the state cannot be reached, every request is
 * refused (fail closed): the client is told to retry in {@link #UNAVAILABLE_RETRY}, and the server logs why.
 * Thread-safe.
 */
final class ResyncGate {

    /** How long a client waits when the shared state cannot be reached. */
    static final Duration UNAVAILABLE_RETRY = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ResyncGate.class);

    private final ClusterState state;
    private final Executor admissionThreads;

    /**
     * @param admissionThreads where the state is asked (the hub's admission threads); it may reject a task
     *     when the hub closes, and the request is then refused
     */
    ResyncGate(ClusterState state, Executor admissionThreads) {
        this.state = requireNonNull(state, "state is null");
        this.admissionThreads = requireNonNull(admissionThreads, "admissionThreads is null");
    }

    /** Admits a resync of {@code clientId} now, or says when it may come back; {@code then} runs on {@code on}. */
    void admit(String clientId, Executor on, Consumer<Admission> then) {
        ask("a resync snapshot", clientId, () -> state.admitResync(clientId), on, then);
    }

    /**
     * Allows one {@code sync_verify} of {@code clientId} now, or says how long it must wait; {@code then} runs on
     * {@code on}.
     */
    void verify(String clientId, Executor on, Consumer<Admission> then) {
        ask("sync_verify", clientId, () -> state.allow(clientId, ClusterState.RequestKind.SYNC_VERIFY), on, then);
    }

    /**
     * Allows one {@code source_verify} of {@code clientId} now, or says how long it must wait; {@code then} runs on
     * {@code on}.
     */
    void sourceVerify(String clientId, Executor on, Consumer<Admission> then) {
        ask("source_verify", clientId, () -> state.allow(clientId, ClusterState.RequestKind.SOURCE_VERIFY), on,
                then);
    }

    private void ask(String what, String clientId, Supplier<Admission> admission, Executor on,
                     Consumer<Admission> then) {
        try {
            admissionThreads.execute(() -> answer(on, then, failClosed(what, clientId, admission)));
        } catch (RejectedExecutionException e) {
            log.debug("hub closing: refused {} of client '{}'", what, clientId);
            answer(on, then, new Admission(false, UNAVAILABLE_RETRY));
        }
    }

    private static void answer(Executor on, Consumer<Admission> then, Admission admission) {
        try {
            on.execute(() -> then.accept(admission));
        } catch (RejectedExecutionException e) {
            log.debug("the session's thread is gone: the answer {} is dropped", admission);
        }
    }

    private static Admission failClosed(String what, String clientId, Supplier<Admission> admission) {
        try {
            return admission.get();
        } catch (ClusterStateException e) {
            log.warn("refused {} of client '{}' (told to retry in {}): {}", what, clientId, UNAVAILABLE_RETRY,
                    e.getMessage());
        } catch (RuntimeException e) {
            // Off the session's thread nothing else would hear of it, and the session would wait for ever.
            log.error("refused {} of client '{}' (told to retry in {}): the cluster state failed", what, clientId,
                    UNAVAILABLE_RETRY, e);
        }
        return new Admission(false, UNAVAILABLE_RETRY);
    }

    /** Clients told to come back for their resync and not yet returned. */
    int waitingCount() {
        return state.resyncWaiting();
    }
}
