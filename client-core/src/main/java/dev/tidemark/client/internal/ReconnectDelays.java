package dev.tidemark.client.internal;

import java.time.Duration;

/** How long to wait before a reconnect; the API's {@code ReconnectBackoff} is one. */
@FunctionalInterface
public interface ReconnectDelays {

    /**
     * The wait before attempt {@code attempt}.
     *
     * @param attempt how many attempts failed in a row before this one (0 for the first reconnect)
     * @param random a number in [0, 1), drawn by the caller
     */
    Duration delay(int attempt, double random);
}
