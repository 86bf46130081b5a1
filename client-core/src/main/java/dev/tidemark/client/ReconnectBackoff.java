package dev.tidemark.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a {@link TidemarkClient} waits before reconnecting: exponential backoff with jitter and a cap.
 * Attempt {@code n} (from 0) waits {@code min(max, initial × multiplier^n)}, shortened by up to
 * {@code jitter} of itself at random so that many clients cut off together do not come back together.
 *
 * <pre>{@code
 * ReconnectBackoff.of(Duration.ofMillis(250), Duration.ofSeconds(30)).withMultiplier(3).withJitter(0.2)
 * }</pre>
 *
 * @param initial the wait before the first reconnect
 * @param max the longest wait
 * @param multiplier how much each failed attempt lengthens the wait, at least 1
 * @param jitter the largest fraction taken off a wait at random, from 0 (none) to 1
 */
public record ReconnectBackoff(Duration initial, Duration max, double multiplier, double jitter) {

    /** The multiplier {@link #of} uses. */
    public static final double DEFAULT_MULTIPLIER = 2.0;
    /** The jitter {@link #of} uses. */
    public static final double DEFAULT_JITTER = 0.5;

    public ReconnectBackoff {
        requireNonNull(initial, "initial is null");
        requireNonNull(max, "max is null");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("the initial reconnect delay must be positive, not " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("the longest reconnect delay (" + max
                    + ") is shorter than the initial one (" + initial + ")");
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("the reconnect delay multiplier must be at least 1, not " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("the reconnect jitter must be from 0 to 1, not " + jitter);
        }
    }

    /** Waits from {@code initial} up to {@code max}, doubling, with jitter 0.5. */
    public static ReconnectBackoff of(Duration initial, Duration max) {
        return new ReconnectBackoff(initial, max, DEFAULT_MULTIPLIER, DEFAULT_JITTER);
    }

    /** This backoff with another multiplier (at least 1). */
    public ReconnectBackoff withMultiplier(double multiplier) {
        return new ReconnectBackoff(initial, max, multiplier, jitter);
    }

    /** This backoff with another jitter (from 0 to 1). */
    public ReconnectBackoff withJitter(double jitter) {
        return new ReconnectBackoff(initial, max, multiplier, jitter);
    }

    /**
     * The wait before attempt {@code attempt}.
     *
     * @param attempt how many attempts failed in a row before this one (0 for the first reconnect)
     * @param random a number in [0, 1), drawn by the caller
     */
    public Duration delay(int attempt, double random) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt is negative: " + attempt);
        }
        if (!(random >= 0.0 && random < 1.0)) {
            throw new IllegalArgumentException("random must be in [0, 1), not " + random);
        }
        double maxNanos = max.toNanos();
        double base = Math.min(maxNanos, initial.toNanos() * Math.pow(multiplier, attempt));
        return Duration.ofNanos(Math.round(base * (1.0 - jitter * random)));
    }
}
