package dev.tidemark.client;

import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncError;
import dev.tidemark.client.status.SyncListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Remembers why the client stopped, for the futures the application holds. Listeners hear the reason
 * (an error) before the state change it causes, so the reason is known when a terminal state is heard.
 */
final class StopWatch implements SyncListener {

    /** How long a failed future waits for the reason to be heard (it is on its way on the listener thread). */
    private static final long REASON_WAIT_SECONDS = 5;

    private final boolean tokenGiven;
    private final CompletableFuture<ClientStoppedException> stopped = new CompletableFuture<>();
    private volatile SyncError reason;

    StopWatch(boolean tokenGiven) {
        this.tokenGiven = tokenGiven;
    }

    @Override
    public void onError(SyncError error) {
        if (error.kind() == SyncError.Kind.REFUSED || error.kind() == SyncError.Kind.RESYNC_REQUIRED) {
            reason = tokenGiven || !error.message().contains("HTTP 401") ? error
                    : new SyncError(error.kind(), "no token given, and the server requires one: give the client's"
                    + " token (TidemarkClient.Builder.token, or tidemark-client --token / TIDEMARK_TOKEN) ("
                    + error.message() + ")", error.cause());
        }
    }

    @Override
    public void onStateChanged(ClientState previous, ClientState current) {
        if (current.isTerminal()) {
            stopped.complete(new ClientStoppedException(current, current == ClientState.CLOSED ? null : reason));
        }
    }

    /** The application closed the client while it was still running. */
    void closed() {
        stopped.complete(new ClientStoppedException(ClientState.CLOSED, null));
    }

    /** Completes when the client stops, with why. */
    CompletableFuture<ClientStoppedException> stopped() {
        return stopped;
    }

    /** Why the client stopped, once heard (or after a short wait, without a reason): for a future that failed. */
    CompletableFuture<ClientStoppedException> reasonFor(ClientState state) {
        return stopped.copy().completeOnTimeout(new ClientStoppedException(state, reason), REASON_WAIT_SECONDS,
                TimeUnit.SECONDS);
    }
}
