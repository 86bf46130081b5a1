package dev.tidemark.client;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncError;
import java.util.Optional;

/**
 * The client stopped, and why: what {@link TidemarkClient#caughtUp()}, {@link TidemarkClient#verify()}
 * and {@link TidemarkClient#stopped()} complete with when the client can no longer sync — the server
 * refused it ({@link ClientState#FAILED}), its store must be resynced
 * ({@link ClientState#RESYNC_REQUIRED}), or the application closed it ({@link ClientState#CLOSED}).
 */
public final class ClientStoppedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final ClientState state;
    private final transient SyncError reason;

    /**
     * @param state the terminal state the client is in
     * @param reason the error that stopped it, or {@code null} (closed by the application, or not reported)
     */
    public ClientStoppedException(ClientState state, SyncError reason) {
        super(message(state, reason), reason == null ? null : reason.cause());
        this.state = requireNonNull(state, "state is null");
        this.reason = reason;
    }

    private static String message(ClientState state, SyncError reason) {
        if (reason != null) {
            return "the client stopped (" + state + "): " + reason.message();
        }
        return state == ClientState.CLOSED ? "the client was closed" : "the client stopped (" + state + ")";
    }

    /** The state the client stopped in. */
    public ClientState state() {
        return state;
    }

    /** The error that stopped it; empty when the application closed it. */
    public Optional<SyncError> reason() {
        return Optional.ofNullable(reason);
    }
}
