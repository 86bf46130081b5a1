package dev.tidemark.store.tck;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The batches of the kill test, designed so that a store's contents prove which batches it holds:
 * batch k writes rows {@code k/0 .. k/29}, marks row {@code (k-1)/0} with {@code next: k} (a merge
 * into an earlier batch's row), and sets the tally to k. Batch k ends at LSN {@code 1/0 + k·0x100}.
 */
final class KillTestBatches {

    static final String ROWS_TYPE = "tck.kill";
    static final String TALLY_TYPE = "tck.kill_tally";
    static final int ROWS = 30;

    private static final long BASE = 0x1_0000_0000L;
    private static final long STEP = 0x100;
    private static final String PAD = "x".repeat(80);
    private static final Instant TIME = Instant.parse("2024-05-01T12:00:00Z");

    private KillTestBatches() {}

    /** Where a store stands after batch {@code k} ({@link Lsn#ZERO} for k = 0). */
    static Lsn lsn(long k) {
        return k == 0 ? Lsn.ZERO : Lsn.of(BASE + k * STEP);
    }

    /** The number of the batch that ends at {@code lsn}; fails when no kill-test batch ends there. */
    static long batchNumber(Lsn lsn) {
        if (lsn.equals(Lsn.ZERO)) {
            return 0;
        }
        long offset = lsn.value() - BASE;
        if (offset <= 0 || offset % STEP != 0) {
            throw new AssertionError("committed LSN " + lsn + " is not the end of any kill-test batch");
        }
        return offset / STEP;
    }

    static ChangeBatch batch(long k) {
        List<Change> changes = new ArrayList<>(ROWS + 2);
        for (int r = 0; r < ROWS; r++) {
            changes.add(Change.update(ROWS_TYPE, rowId(k, r), rowData(k, r), TIME));
        }
        if (k > 1) {
            changes.add(Change.update(ROWS_TYPE, rowId(k - 1, 0), "{\"next\":" + k + "}", TIME));
        }
        changes.add(Change.update(TALLY_TYPE, "last", "{\"k\":" + k + "}", TIME));
        return new ChangeBatch("kill-" + k, lsn(k - 1), lsn(k), changes);
    }

    static String rowId(long k, int r) {
        return k + "/" + r;
    }

    private static String rowData(long k, int r) {
        return "{\"k\":" + k + ",\"r\":" + r + ",\"pad\":\"" + PAD + "\"}";
    }

    /** Row {@code k/r} as it must read once batches 1..{@code committed} are applied. */
    static String expectedRow(long k, int r, long committed) {
        String data = rowData(k, r);
        return r == 0 && k < committed ? data.substring(0, data.length() - 1) + ",\"next\":" + (k + 1) + "}" : data;
    }

    /** The committed checksum of a store holding batches 1..{@code committed}. */
    static long checksumThrough(long committed) {
        long sum = 0;
        for (long k = 1; k <= committed; k++) {
            sum += Checksum.of(batch(k).changes());
        }
        return sum;
    }
}
