package dev.tidemark.client.internal;

/** The server refused a {@code sync_verify} (it is rate-limited per client): verify again later. */
public final class VerifyRefusedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    VerifyRefusedException(String message) {
        super("the server refused sync_verify: " + message);
    }
}
