package dev.tidemark.recovery;

import java.util.Arrays;

/**
 * A PostgreSQL MVCC snapshot ({@code pg_current_snapshot()}, text form {@code xmin:xmax:xip,...}):
 * which transactions a snapshot read sees. Transaction ids are 64-bit ({@code xid8}), so they never
 * wrap around.
 *
 * @param xmin every transaction below it had finished when the snapshot was taken
 * @param xmax every transaction at or above it had not started
 * @param inProgress transactions between the two that were still running
 */
public record TransactionSnapshot(long xmin, long xmax, long[] inProgress) {

    public TransactionSnapshot {
        if (Long.compareUnsigned(xmin, xmax) > 0) {
            throw new IllegalArgumentException("xmin " + xmin + " is above xmax " + xmax);
        }
        inProgress = inProgress.clone();
        Arrays.sort(inProgress);
    }

    /** Parses PostgreSQL's text form, e.g. {@code 10:20:10,14,15}. */
    public static TransactionSnapshot parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a snapshot (xmin:xmax:xip): '" + text + "'");
        }
        try {
            long[] xip = parts[2].isEmpty() ? new long[0]
                    : Arrays.stream(parts[2].split(",")).mapToLong(Long::parseUnsignedLong).toArray();
            return new TransactionSnapshot(Long.parseUnsignedLong(parts[0]), Long.parseUnsignedLong(parts[1]), xip);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a snapshot (xmin:xmax:xip): '" + text + "'", e);
        }
    }

    /**
     * Whether a transaction that committed is visible in this snapshot: it finished before the
     * snapshot was taken. (Only called for committed transactions: the change log holds no others.)
     */
    public boolean sees(long committedXid) {
        if (Long.compareUnsigned(committedXid, xmin) < 0) {
            return true;
        }
        if (Long.compareUnsigned(committedXid, xmax) >= 0) {
            return false;
        }
        return Arrays.binarySearch(inProgress, committedXid) < 0;
    }

    /**
     * Widens a 32-bit transaction id (as logical decoding reports it) to the 64-bit id it has near
     * this snapshot: the epoch is taken from {@code xmax}, and adjusted when the 32-bit id lies on the
     * other side of a wraparound.
     */
    public long widen(int xid32) {
        long low = Integer.toUnsignedLong(xid32);
        long epoch = xmax >>> 32;
        long candidate = epoch << 32 | low;
        long distance = candidate - xmax;
        if (distance > (1L << 31)) {
            candidate -= 1L << 32;
        } else if (distance < -(1L << 31)) {
            candidate += 1L << 32;
        }
        return candidate;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TransactionSnapshot that && xmin == that.xmin && xmax == that.xmax
                && Arrays.equals(inProgress, that.inProgress);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(xmin) * 31 + Long.hashCode(xmax) * 17 + Arrays.hashCode(inProgress);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder().append(Long.toUnsignedString(xmin)).append(':')
                .append(Long.toUnsignedString(xmax)).append(':');
        for (int i = 0; i < inProgress.length; i++) {
            text.append(i == 0 ? "" : ",").append(Long.toUnsignedString(inProgress[i]));
        }
        return text.toString();
    }
}
