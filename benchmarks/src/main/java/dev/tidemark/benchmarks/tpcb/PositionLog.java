package dev.tidemark.benchmarks.tpcb;

import java.util.Arrays;

/**
 * WAL positions with the {@link System#nanoTime()} at which each was read, in the order they were recorded. One
 * thread writes it; others read it only after that thread ended. Positions are compared as signed longs, which
 * holds for every WAL position below 8 EiB.
 */
final class PositionLog {

    private long[] positions = new long[1024];
    private long[] nanos = new long[1024];
    private int size;

    void add(long position, long at) {
        if (size == positions.length) {
            positions = Arrays.copyOf(positions, size * 2);
            nanos = Arrays.copyOf(nanos, size * 2);
        }
        positions[size] = position;
        nanos[size] = at;
        size++;
    }

    int size() {
        return size;
    }

    long position(int index) {
        return positions[index];
    }

    long nanos(int index) {
        return nanos[index];
    }

    /** The last position recorded, or {@code Long.MIN_VALUE} when none was. */
    long last() {
        return size == 0 ? Long.MIN_VALUE : positions[size - 1];
    }

    /**
     * In a log of increasing positions, the index of the first entry at or past {@code target} ({@code size()} when
     * none is).
     */
    int firstAtOrAfter(long target) {
        int low = 0;
        int high = size;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (positions[middle] < target) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }
}
