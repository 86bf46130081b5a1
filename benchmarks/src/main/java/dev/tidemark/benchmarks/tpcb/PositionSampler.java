package dev.tidemark.benchmarks.tpcb;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread that reads a WAL position at a fixed pace and records it with the time the read returned, into a
 * {@link PositionLog}; {@link #stop()} ends it and hands the log over.
 */
final class PositionSampler implements AutoCloseable {

    /** Reads the position to record. */
    @FunctionalInterface
    interface Reader {
        long read() throws Exception;
    }

    private final PositionLog log = new PositionLog();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;

    private PositionSampler(String name, long intervalNanos, boolean advancesOnly, Reader reader) {
        thread = new Thread(() -> sample(intervalNanos, advancesOnly, reader), name);
        thread.setDaemon(true);
    }

    /**
     * Starts a thread {@code name} that every {@code intervalNanos} (on a fixed schedule; a late read is not made
     * up) records what {@code reader} returns; with {@code advancesOnly}, only positions past the last recorded.
     */
    static PositionSampler start(String name, long intervalNanos, boolean advancesOnly, Reader reader) {
        PositionSampler sampler = new PositionSampler(name, intervalNanos, advancesOnly, reader);
        sampler.thread.start();
        return sampler;
    }

    private void sample(long intervalNanos, boolean advancesOnly, Reader reader) {
        try {
            long next = System.nanoTime();
            while (running) {
                long position = reader.read();
                long at = System.nanoTime();
                if (!advancesOnly || position > log.last()) {
                    log.add(position, at);
                }
                next += intervalNanos;
                if (next < at) {
                    next = at + intervalNanos;
                }
                LockSupport.parkNanos(next - System.nanoTime());
            }
        } catch (Throwable e) {
            failure.set(e);
        }
    }

    /** Ends the thread and returns what it recorded; rethrows what made it fail, if anything did. */
    PositionLog stop() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(30));
        if (thread.isAlive()) {
            throw new IllegalStateException("the sampler " + thread.getName() + " did not stop within 30 s");
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the sampler " + thread.getName() + " failed: " + failure.get(),
                    failure.get());
        }
        return log;
    }

    /** Ends the thread, if {@link #stop()} has not; what it recorded is dropped. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
