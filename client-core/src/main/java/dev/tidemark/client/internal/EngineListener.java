package dev.tidemark.client.internal;

import dev.tidemark.client.spi.BatchHeader;

/**
 * What a {@link SyncEngine} reports. Calls arrive one at a time, in order, on the engine's event
 * thread; a slow listener delays later reports but never the sync itself.
 */
public interface EngineListener {

    /** The engine moved from {@code previous} to {@code current}. */
    void stateChanged(EngineState previous, EngineState current);

    /** A batch was applied and committed by the store. */
    void batchApplied(BatchHeader header, int changes, int parts);

    /** Something went wrong; see {@link EngineError}. */
    void error(EngineError error);
}
