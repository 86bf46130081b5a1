package dev.tidemark.server.hub;

import dev.tidemark.recovery.Admission;
import dev.tidemark.recovery.RequestRateLimiter;
import dev.tidemark.recovery.ResyncPacer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * The pace of the hub's expensive requests: the {@link ResyncPacer} that admits snapshots (resync, per-table,
 * source reads) at a paced rate, and the per-client {@code sync_verify} and {@code source_verify} rate limits.
 * Thread-safe.
 */
final class ResyncGate {

    /** At most this many clients are remembered by the verify limiter and the waiting list. */
    private static final int MAX_TRACKED = 100_000;

    private final ResyncPacer pacer;
    private final RequestRateLimiter verifies;
    /** The per-client limit of {@code source_verify}, as strict as that of {@code sync_verify} but separate. */
    private final RequestRateLimiter sourceVerifies;
    /** Clients told to come back, so the pacer releases their place when they do. */
    private final Map<String, Boolean> waiting = new ConcurrentHashMap<>();

    ResyncGate(HubConfig config) {
        this.pacer = new ResyncPacer(config.resyncRatePerSecond(), config.resyncBurst(), config.resyncJitter(),
                System::nanoTime, RandomGenerator.getDefault());
        this.verifies = new RequestRateLimiter(config.verifyInterval(), MAX_TRACKED, System::nanoTime);
        this.sourceVerifies = new RequestRateLimiter(config.verifyInterval(), MAX_TRACKED, System::nanoTime);
    }

    /** Admits a resync of {@code clientId} now, or says when it may come back. */
    Admission admit(String clientId) {
        if (waiting.remove(clientId) != null) {
            pacer.returned();
        }
        Admission admission = pacer.tryAdmit();
        if (!admission.admitted() && waiting.size() < MAX_TRACKED) {
            waiting.put(clientId, Boolean.TRUE);
        }
        return admission;
    }

    /** Allows one {@code sync_verify} of {@code clientId} now, or says how long it must wait. */
    Admission verify(String clientId) {
        return verifies.tryAcquire(clientId);
    }

    /** Allows one {@code source_verify} of {@code clientId} now, or says how long it must wait. */
    Admission sourceVerify(String clientId) {
        return sourceVerifies.tryAcquire(clientId);
    }

    /** Clients told to come back for their resync and not yet returned. */
    int waitingCount() {
        return waiting.size();
    }

}
