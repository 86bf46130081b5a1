package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

/**
 * A problem the engine reports to its listener. The engine has already handled it (acked
 * {@code error}, reconnected, or stopped); the report is for logs and monitoring.
 *
 * @param kind what kind of problem
 * @param message what happened and what the client does about it
 * @param cause the exception behind it, or {@code null}
 */
public record EngineError(ErrorKind kind, String message, Throwable cause) {

    public EngineError {
        requireNonNull(kind, "kind is null");
        requireNonNull(message, "message is null");
    }
}
