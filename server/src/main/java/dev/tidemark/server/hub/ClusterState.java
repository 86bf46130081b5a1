package dev.tidemark.server.hub;

import dev.tidemark.recovery.Admission;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What the hubs of several nodes serving one change log share: which session serves each client (so a client
 * connected to two nodes at once keeps only its newest connection), the per-client rate limits of
 * {@code sync_verify} and {@code source_verify}, and the resync pacer's admissions. Without one (a single node,
 * the hub's tests) the hub keeps all of it in its own memory.
 *
 * <p>Every method but {@link #start} may block on a round trip to where the state is kept: the hub calls them on
 * threads of its own, never on a connection's event loop, and hands the answer back to the session. An
 * implementation that cannot reach the state fails closed: it throws {@link ClusterStateException} from {@link
 * #claim} and refuses admissions (the client is told to retry later).
 */
public interface ClusterState extends AutoCloseable {

    /** A request kind with its own per-client rate limit. */
    enum RequestKind {
        SYNC_VERIFY("sync_verify"),
        SOURCE_VERIFY("source_verify");

        private final String wireName;

        RequestKind(String wireName) {
            this.wireName = wireName;
        }

        /** The protocol's name of the request. */
        public String wireName() {
            return wireName;
        }
    }

    /** How the hub hears of other nodes' claims. */
    interface ClaimListener {

        /**
         * {@code claim} is now the newest claim of {@code clientId}: a session of this node that holds an older
         * claim of the client must end, superseded. Called on the state's own thread; must not block.
         */
        void claimed(String clientId, long claim);

        /** The claims this node's streaming sessions hold now, by client id (for the periodic re-check). */
        Map<String, Long> held();
    }

    /**
     * Starts following other nodes' claims (a notification per claim, and a periodic re-check of {@link
     * ClaimListener#held()} as the safety net). Called once, by {@link Hub#start()}.
     */
    void start(ClaimListener listener);

    /**
     * Records that a new session of this node serves {@code clientId}; the newest claim wins on every node.
     *
     * @param session a name of the session, for operators
     * @return the claim's number (greater than every older claim of the client), or empty when a newer claim
     *     of the client already holds it (this session lost the race and must end)
     * @throws ClusterStateException when the state cannot be reached
     */
    OptionalLong claim(String clientId, String session);

    /** Admits a resync snapshot of {@code clientId} now, or says when it may come back. */
    Admission admitResync(String clientId);

    /** Allows one request of {@code kind} of {@code clientId} now, or says how long it must wait. */
    Admission allow(String clientId, RequestKind kind);

    /** Clients told to come back for their resync snapshot and not yet returned (as far as this node knows). */
    int resyncWaiting();

    /** Stops following claims and releases connections. */
    @Override
    void close();
}
