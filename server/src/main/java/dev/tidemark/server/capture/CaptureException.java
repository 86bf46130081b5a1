package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

/** Capture cannot go on; the message says what to fix. */
public class CaptureException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final CaptureError error;

    public CaptureException(CaptureError error, String message) {
        super(message);
        this.error = requireNonNull(error, "error is null");
    }

    public CaptureException(CaptureError error, String message, Throwable cause) {
        super(message, cause);
        this.error = requireNonNull(error, "error is null");
    }

    public CaptureError error() {
        return error;
    }
}
