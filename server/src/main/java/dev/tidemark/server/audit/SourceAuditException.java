package dev.tidemark.server.audit;

/** An audit of the source that could not be completed; the message says why and what to do. Nothing was changed. */
public final class SourceAuditException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SourceAuditException(String message) {
        super(message);
    }

    public SourceAuditException(String message, Throwable cause) {
        super(message, cause);
    }
}
