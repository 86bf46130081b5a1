package dev.tidemark.protocol;

import static java.util.Objects.requireNonNull;

/**
 * A message or value that breaks the protocol's rules. The {@link #code()} is what goes on the wire
 * in an {@code error} message; the message says what was wrong and, where it helps, what to do.
 */
public final class ProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message);
        this.code = requireNonNull(code, "code is null");
    }

    public ProtocolException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = requireNonNull(code, "code is null");
    }

    /** The machine-readable error code. */
    public ErrorCode code() {
        return code;
    }
}
