package dev.tidemark.client;

/**
 * The server refused a {@code sync_verify}: it answers at most one per client per
 * {@code tidemark.hub.verify-interval} (one second by default) and this request came too soon. Nothing changed;
 * verify again after that interval. What {@link TidemarkClient#verify()} completes with in that case.
 */
public final class VerifyRefusedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** @param message the server's reason, as its {@code error} said it */
    public VerifyRefusedException(String message) {
        super("the server refused sync_verify: " + message);
    }
}
