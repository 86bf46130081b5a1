package dev.tidemark.store.tck;

import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.protocol.Change;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A {@link ChangeSource} for failure injection: yields changes, then throws. It counts what the
 * store pulled, so tests can tell that a duplicate or a gap was decided without reading changes.
 */
final class ScriptedChangeSource implements ChangeSource {

    private final int size;
    private final IntFunction<Change> changeAt;
    private final int failAfter;
    private final RuntimeException failure;
    private int pulled;

    private ScriptedChangeSource(int size, IntFunction<Change> changeAt, int failAfter, RuntimeException failure) {
        this.size = size;
        this.changeAt = changeAt;
        this.failAfter = failAfter;
        this.failure = failure;
    }

    /** Yields {@code changes}, then ends. */
    static ScriptedChangeSource of(List<Change> changes) {
        return new ScriptedChangeSource(changes.size(), changes::get, -1, null);
    }

    /** Yields {@code size} changes made on demand (nothing held in memory), then ends. */
    static ScriptedChangeSource generated(int size, IntFunction<Change> changeAt) {
        return new ScriptedChangeSource(size, changeAt, -1, null);
    }

    /** Yields the first {@code failAfter} of {@code changes}, then throws {@code failure}. */
    static ScriptedChangeSource failing(List<Change> changes, int failAfter, RuntimeException failure) {
        return new ScriptedChangeSource(changes.size(), changes::get, failAfter, failure);
    }

    @Override
    public Change next() {
        if (pulled == failAfter) {
            throw failure;
        }
        if (pulled >= size) {
            return null;
        }
        return changeAt.apply(pulled++);
    }

    /** How many changes the store pulled. */
    int pulled() {
        return pulled;
    }
}
