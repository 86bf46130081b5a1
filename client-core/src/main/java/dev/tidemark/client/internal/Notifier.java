package dev.tidemark.client.internal;

import dev.tidemark.client.status.AppliedBatch;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncError;
import dev.tidemark.client.status.SyncListener;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the application's {@link SyncListener}s on one thread of its own, in order, so that a slow
 * or failing listener never holds up the transport or the applier. A listener's exception is logged
 * and otherwise ignored.
 */
final class Notifier {

    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    private final List<SyncListener> listeners;
    private final ExecutorService thread;

    Notifier(List<SyncListener> listeners) {
        this.listeners = List.copyOf(listeners);
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "tidemark-events");
            t.setDaemon(true);
            return t;
        });
    }

    void stateChanged(ClientState previous, ClientState current) {
        post(listener -> listener.onStateChanged(previous, current));
    }

    void batchApplied(AppliedBatch batch) {
        post(listener -> listener.onBatchApplied(batch));
    }

    void error(SyncError error) {
        post(listener -> listener.onError(error));
    }

    private void post(Consumer<SyncListener> call) {
        try {
            thread.execute(() -> {
                for (SyncListener listener : listeners) {
                    try {
                        call.accept(listener);
                    } catch (RuntimeException e) {
                        log.warn("a SyncListener failed; the client carries on", e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("listener call after close dropped");
        }
    }

    /** Delivers what is queued (waiting at most {@code millis}), then stops. */
    void close(long millis) {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(millis, TimeUnit.MILLISECONDS)) {
                log.warn("a Tidemark client listener is still running after {} ms; not waiting for it", millis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
