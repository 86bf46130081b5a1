package dev.tidemark.server.hub;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claims of this hub's streaming sessions in the {@link ClusterState}: each session claims its client when it
 * starts streaming (on the claim thread, never the connection's), and ends, superseded, when another node's newer
 * claim of the client is heard of. Thread-safe.
 */
final class SessionClaims implements ClusterState.ClaimListener {

    private static final Logger log = LoggerFactory.getLogger(SessionClaims.class);

    private final ClusterState state;
    private final SessionRegistry registry;
    private final ExecutorService claimThread;

    SessionClaims(ClusterState state, SessionRegistry registry, ExecutorService claimThread) {
        this.state = requireNonNull(state, "state is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.claimThread = requireNonNull(claimThread, "claimThread is null");
    }

    /** Claims the client of {@code session}, which starts streaming; the answer comes back on its thread. */
    void claim(ClientSession session, String clientId, String sessionName) {
        try {
            claimThread.execute(() -> {
                OptionalLong claim;
                try {
                    claim = state.claim(clientId, sessionName);
                } catch (RuntimeException e) {
                    log.warn("could not record that client '{}' is served here: {}", clientId, e.getMessage());
                    session.executor().execute(() -> session.claimFailed(e));
                    return;
                }
                session.executor().execute(() -> session.claimed(claim));
            });
        } catch (RejectedExecutionException e) {
            log.debug("hub closing: client '{}' not claimed", clientId);
        }
    }

    @Override
    public void claimed(String clientId, long claim) {
        ClientSession session = registry.get(clientId);
        if (session != null) {
            session.executor().execute(() -> session.newerClaimSeen(claim));
        }
    }

    @Override
    public Map<String, Long> held() {
        Map<String, Long> held = new HashMap<>();
        registry.byClient().forEach((clientId, session) -> {
            long claim = session.claim();
            if (claim > 0) {
                held.put(clientId, claim);
            }
        });
        return held;
    }
}
