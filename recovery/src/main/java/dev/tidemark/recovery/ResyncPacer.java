package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Admits resyncs at a paced rate, so that many clients told to resync at once (a new history) do not
 * stampede the database with snapshot reads. A token bucket: {@code burst} resyncs may start at
 * once, then one every {@code 1/ratePerSecond}. A client that is not admitted is told when to come
 * back, with jitter so the waiting clients do not all return in the same instant. Thread-safe.
 */
public final class ResyncPacer {

    private final double ratePerSecond;
    private final int burst;
    private final double jitter;
    private final LongSupplier nanoTime;
    private final RandomGenerator random;

    private double tokens;
    private long lastRefill;
    /** Resyncs promised to waiting clients, so later arrivals queue behind them. */
    private long promised;

    /**
     * @param ratePerSecond sustained resyncs per second, above 0
     * @param burst how many may start at once, at least 1
     * @param jitter the fraction (0 to 1) by which a retry time is spread at random
     * @param nanoTime the clock, {@link System#nanoTime} outside tests
     * @param random the source of jitter
     */
    public ResyncPacer(double ratePerSecond, int burst, double jitter, LongSupplier nanoTime, RandomGenerator random) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("ratePerSecond must be above 0: " + ratePerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1: " + burst);
        }
        if (jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("jitter must be between 0 and 1: " + jitter);
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.jitter = jitter;
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
        this.random = requireNonNull(random, "random is null");
        this.tokens = burst;
        this.lastRefill = nanoTime.getAsLong();
    }

    /** Asks to start one resync now. */
    public synchronized Admission tryAdmit() {
        refill();
        if (tokens >= 1 && promised == 0) {
            tokens -= 1;
            return Admission.NOW;
        }
        // Place this client behind the ones already told to come back, then spread it by the jitter.
        double slotsAhead = promised + 1 - tokens;
        promised++;
        double seconds = slotsAhead / ratePerSecond;
        seconds *= 1 + jitter * random.nextDouble();
        return Admission.later(Duration.ofNanos((long) Math.ceil(seconds * 1e9)));
    }

    /** A client that was told to come back did so (admitted or not); it no longer holds a place. */
    public synchronized void returned() {
        if (promised > 0) {
            promised--;
        }
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        double added = (now - lastRefill) / 1e9 * ratePerSecond;
        tokens = Math.min(burst, tokens + added);
        lastRefill = now;
    }
}
