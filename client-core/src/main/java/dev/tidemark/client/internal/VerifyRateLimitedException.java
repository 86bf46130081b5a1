package dev.tidemark.client.internal;

/**
 * The server refused a {@code sync_verify} (it is rate-limited per client): verify again later. The public API
 * turns it into {@link dev.tidemark.client.VerifyRefusedException} (the API depends on this package, not the other
 * way round).
 */
public final class VerifyRateLimitedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    VerifyRateLimitedException(String reason) {
        super("the server refused sync_verify: " + reason);
        this.reason = reason;
    }

    /** The server's reason, as its {@code error} said it. */
    public String reason() {
        return reason;
    }
}
