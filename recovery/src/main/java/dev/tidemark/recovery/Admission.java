package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The answer to a request for a paced resource: admitted now, or come back after {@code retryAfter}.
 *
 * @param admitted whether the request may proceed now
 * @param retryAfter when not admitted, how long to wait before asking again; zero when admitted
 */
public record Admission(boolean admitted, Duration retryAfter) {

    public Admission {
        requireNonNull(retryAfter, "retryAfter is null");
        if (admitted && !retryAfter.isZero()) {
            throw new IllegalArgumentException("an admitted request has no retryAfter");
        }
    }

    static final Admission NOW = new Admission(true, Duration.ZERO);

    static Admission later(Duration retryAfter) {
        return new Admission(false, retryAfter);
    }
}
