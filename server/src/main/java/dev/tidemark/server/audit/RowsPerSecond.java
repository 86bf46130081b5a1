package dev.tidemark.server.audit;

import static java.util.Objects.requireNonNull;

import java.util.function.LongSupplier;

/**
 * A {@link RowPacer} that keeps the average rate at or below a limit: after {@code n} rows it waits until
 * {@code n / rowsPerSecond} seconds have passed since the first call. Used by one scan (one thread).
 */
final class RowsPerSecond implements RowPacer {

    /** How the pacer waits: {@code TimeUnit.NANOSECONDS::sleep} outside tests. */
    @FunctionalInterface
    interface Waiter {
        void waitNanos(long nanos) throws InterruptedException;
    }

    private final double rowsPerSecond;
    private final LongSupplier nanoTime;
    private final Waiter waiter;
    private long start;
    private long rows;
    private boolean started;

    RowsPerSecond(double rowsPerSecond, LongSupplier nanoTime, Waiter waiter) {
        if (!(rowsPerSecond > 0) || Double.isInfinite(rowsPerSecond)) {
            throw new IllegalArgumentException("rowsPerSecond must be above 0 and finite: " + rowsPerSecond);
        }
        this.rowsPerSecond = rowsPerSecond;
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
        this.waiter = requireNonNull(waiter, "waiter is null");
    }

    @Override
    public void pace(int newRows) throws InterruptedException {
        if (!started) {
            started = true;
            start = nanoTime.getAsLong();
        }
        rows += newRows;
        long due = start + (long) (rows / rowsPerSecond * 1e9);
        long wait = due - nanoTime.getAsLong();
        if (wait > 0) {
            waiter.waitNanos(wait);
        }
    }
}
