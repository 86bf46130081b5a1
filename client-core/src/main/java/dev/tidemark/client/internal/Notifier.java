package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.BatchHeader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the application's {@link EngineListener} on one thread of its own, in order, so that a slow
 * or failing listener never holds up the transport or the applier. A listener's exception is logged
 * and otherwise ignored.
 */
final class Notifier {

    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    private final EngineListener listener;
    private final ExecutorService thread;

    Notifier(EngineListener listener) {
        this.listener = requireNonNull(listener, "listener is null");
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "tidemark-events");
            t.setDaemon(true);
            return t;
        });
    }

    void stateChanged(EngineState previous, EngineState current) {
        post(() -> listener.stateChanged(previous, current));
    }

    void batchApplied(BatchHeader header, int changes, int parts) {
        post(() -> listener.batchApplied(header, changes, parts));
    }

    void error(EngineError error) {
        post(() -> listener.error(error));
    }

    private void post(Runnable call) {
        try {
            thread.execute(() -> {
                try {
                    call.run();
                } catch (RuntimeException e) {
                    log.warn("a Tidemark client listener failed; the client carries on", e);
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
