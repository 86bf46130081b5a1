package dev.tidemark.server.audit;

import java.util.concurrent.TimeUnit;

/**
 * Holds a scan of the source to a pace, so that an audit does not load the source database more than the
 * operator allows. {@link SourceDigester} calls it after each chunk of rows it read.
 */
@FunctionalInterface
public interface RowPacer {

    /**
     * Called after {@code rows} more rows were read; returns when the scan may go on.
     *
     * @throws InterruptedException when the thread is interrupted while waiting: the scan stops
     */
    void pace(int rows) throws InterruptedException;

    /** No limit. */
    static RowPacer unlimited() {
        return rows -> { };
    }

    /**
     * At most {@code rowsPerSecond} rows per second on average, measured from the first call.
     *
     * @throws IllegalArgumentException unless {@code rowsPerSecond} is above 0
     */
    static RowPacer perSecond(double rowsPerSecond) {
        return new RowsPerSecond(rowsPerSecond, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    }
}
