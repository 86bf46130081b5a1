package dev.tidemark.client;

import dev.tidemark.client.internal.EngineError;
import dev.tidemark.client.internal.EngineListener;
import dev.tidemark.client.internal.EngineState;
import dev.tidemark.client.spi.BatchHeader;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns the engine's reports into the API's types and hands them to every {@link SyncListener}. */
final class ListenerFanOut implements EngineListener {

    private static final Logger log = LoggerFactory.getLogger(ListenerFanOut.class);

    private final List<SyncListener> listeners;

    ListenerFanOut(List<SyncListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    static ClientState state(EngineState state) {
        return ClientState.valueOf(state.name());
    }

    static SyncError toSyncError(EngineError error) {
        return new SyncError(SyncError.Kind.valueOf(error.kind().name()), error.message(), error.cause());
    }

    @Override
    public void stateChanged(EngineState previous, EngineState current) {
        ClientState from = state(previous);
        ClientState to = state(current);
        for (SyncListener listener : listeners) {
            call(() -> listener.onStateChanged(from, to));
        }
    }

    @Override
    public void batchApplied(BatchHeader header, int changes, int parts) {
        AppliedBatch batch = new AppliedBatch(header.batchId(), header.prevLsn(), header.lsn(), changes, parts);
        for (SyncListener listener : listeners) {
            call(() -> listener.onBatchApplied(batch));
        }
    }

    @Override
    public void error(EngineError error) {
        SyncError mapped = toSyncError(error);
        for (SyncListener listener : listeners) {
            call(() -> listener.onError(mapped));
        }
    }

    private static void call(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("a SyncListener failed; the client carries on", e);
        }
    }
}
