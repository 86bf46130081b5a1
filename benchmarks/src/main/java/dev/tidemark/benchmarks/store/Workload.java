package dev.tidemark.benchmarks.store;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Batches of new entities (inserts, the case the baseline measures), made before timing starts.
 *
 * @param batchSize changes per batch
 * @param keys how entity ids are made
 * @param batches the batches, from 0/0 on
 */
record Workload(int batchSize, KeyKind keys, List<ChangeBatch> batches) {

    static final String ENTITY_TYPE = "public.orders";
    private static final Instant TIME = Instant.parse("2024-05-01T12:00:00Z");

    static Workload of(int batchSize, KeyKind keys, int totalChanges) {
        List<ChangeBatch> batches = new ArrayList<>();
        long n = 0;
        for (int b = 1; n < totalChanges; b++) {
            List<Change> changes = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++, n++) {
                changes.add(Change.update(ENTITY_TYPE, keys.id(n), data(n), TIME));
            }
            batches.add(new ChangeBatch("b" + b, lsn(b - 1), lsn(b), changes));
        }
        return new Workload(batchSize, keys, List.copyOf(batches));
    }

    static Lsn lsn(long batch) {
        return Lsn.of(batch * 0x1000);
    }

    /** About 130 bytes, the size of a narrow table's row. */
    private static String data(long n) {
        return "{\"id\":" + n + ",\"customer\":\"customer-" + (n % 977) + "\",\"amount\":" + (n % 10_000) + ".25,"
                + "\"status\":\"open\",\"note\":\"ordered through the web shop, deliver to the back door\"}";
    }

    int changes() {
        return batches.size() * batchSize;
    }
}
