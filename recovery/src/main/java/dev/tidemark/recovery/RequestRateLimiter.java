package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Lets each client make one request of a kind (a {@code sync_verify}) per interval. Remembers at most
 * {@code maxClients} clients (the least recently seen are forgotten), so a flood of ids cannot grow
 * memory. Thread-safe.
 */
public final class RequestRateLimiter {

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Long> lastAllowed;

    public RequestRateLimiter(Duration interval, int maxClients, LongSupplier nanoTime) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval is negative: " + interval);
        }
        if (maxClients < 1) {
            throw new IllegalArgumentException("maxClients must be at least 1: " + maxClients);
        }
        this.intervalNanos = interval.toNanos();
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
        this.lastAllowed = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > maxClients;
            }
        };
    }

    /** Allows the request now, or says how long the client must wait. */
    public synchronized Admission tryAcquire(String clientId) {
        requireNonNull(clientId, "clientId is null");
        long now = nanoTime.getAsLong();
        Long last = lastAllowed.get(clientId);
        if (last != null && now - last < intervalNanos) {
            return Admission.later(Duration.ofNanos(intervalNanos - (now - last)));
        }
        lastAllowed.put(clientId, now);
        return Admission.NOW;
    }
}
