package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long the server keeps its change history.
 *
 * @param clientTimeout a client not connected and not acknowledging for this long no longer holds
 *     history back
 * @param maxAge history older than this is trimmed even if an active client still needs it (that
 *     client will have to resync)
 * @param maxChanges at most this many changes are retained, whatever clients need
 * @param warnFraction a client whose acknowledged position is within this fraction of the
 *     {@code maxAge} horizon (e.g. 0.2: its position is older than 80% of {@code maxAge}) is warned
 */
public record RetentionPolicy(Duration clientTimeout, Duration maxAge, long maxChanges, double warnFraction) {

    public RetentionPolicy {
        requireNonNull(clientTimeout, "clientTimeout is null");
        requireNonNull(maxAge, "maxAge is null");
        if (clientTimeout.isNegative() || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("clientTimeout must be ≥ 0 and maxAge > 0");
        }
        if (maxChanges < 1) {
            throw new IllegalArgumentException("maxChanges must be at least 1: " + maxChanges);
        }
        if (warnFraction < 0 || warnFraction >= 1) {
            throw new IllegalArgumentException("warnFraction must be in [0, 1): " + warnFraction);
        }
    }

    /** Defaults: clients time out after 7 days, history is kept at most 30 days or 50 million changes. */
    public static RetentionPolicy defaults() {
        return new RetentionPolicy(Duration.ofDays(7), Duration.ofDays(30), 50_000_000L, 0.2);
    }

    /** The age beyond which a client's position earns a warning. */
    public Duration warnAge() {
        return Duration.ofMillis((long) (maxAge.toMillis() * (1 - warnFraction)));
    }
}
