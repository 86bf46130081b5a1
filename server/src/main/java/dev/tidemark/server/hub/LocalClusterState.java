package dev.tidemark.server.hub;

import dev.tidemark.recovery.Admission;
import dev.tidemark.recovery.RequestRateLimiter;
import dev.tidemark.recovery.ResyncPacer;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * The {@link ClusterState} of a hub that shares nothing: one node (or a test). Claims are local (the hub's own
 * session registry supersedes); the rate limits and the pacer live in this process's memory. Thread-safe.
 */
final class LocalClusterState implements ClusterState {

    /** At most this many clients are remembered by the verify limiter and the waiting list. */
    private static final int MAX_TRACKED = 100_000;

    private final AtomicLong claims = new AtomicLong();
    private final ResyncPacer pacer;
    private final RequestRateLimiter verifies;
    /** The per-client limit of {@code source_verify}, as strict as that of {@code sync_verify} but separate. */
    private final RequestRateLimiter sourceVerifies;
    /** Clients told to come back, so the pacer releases their place when they do. */
    private final Map<String, Boolean> waiting = new ConcurrentHashMap<>();

    LocalClusterState(HubConfig config) {
        this.pacer = new ResyncPacer(config.resyncRatePerSecond(), config.resyncBurst(), config.resyncJitter(),
                System::nanoTime, RandomGenerator.getDefault());
        this.verifies = new RequestRateLimiter(config.verifyInterval(), MAX_TRACKED, System::nanoTime);
        this.sourceVerifies = new RequestRateLimiter(config.verifyInterval(), MAX_TRACKED, System::nanoTime);
    }

    @Override
    public void start(ClaimListener listener) {
        // No other node claims anything.
    }

    @Override
    public OptionalLong claim(String clientId, String session) {
        return OptionalLong.of(claims.incrementAndGet());
    }

    @Override
    public Admission admitResync(String clientId) {
        if (waiting.remove(clientId) != null) {
            pacer.returned();
        }
        Admission admission = pacer.tryAdmit();
        if (!admission.admitted() && waiting.size() < MAX_TRACKED) {
            waiting.put(clientId, Boolean.TRUE);
        }
        return admission;
    }

    @Override
    public Admission allow(String clientId, RequestKind kind) {
        return (kind == RequestKind.SYNC_VERIFY ? verifies : sourceVerifies).tryAcquire(clientId);
    }

    @Override
    public int resyncWaiting() {
        return waiting.size();
    }

    @Override
    public void close() {
    }
}
