package dev.tidemark.client.testing;

import dev.tidemark.protocol.Change;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic source transactions for tests and benchmarks: updates (new rows and partial updates
 * that must merge), deletes, and now and then a truncate, over a few entity types.
 */
public final class Workload {

    private final Random random;
    private final List<String> entityTypes;
    private final int ids;
    private final boolean truncates;
    private long sequence;

    /**
     * @param seed the random seed
     * @param entityTypes the entity types to write
     * @param ids how many different ids per type
     * @param truncates whether a transaction may, rarely, truncate a type
     */
    public Workload(long seed, List<String> entityTypes, int ids, boolean truncates) {
        this.random = new Random(seed);
        this.entityTypes = List.copyOf(entityTypes);
        this.ids = ids;
        this.truncates = truncates;
    }

    /** A workload over {@code todo} and {@code sales.orders} with 500 ids each, with truncates. */
    public static Workload standard(long seed) {
        return new Workload(seed, List.of("todo", "sales.orders"), 500, true);
    }

    /** One transaction of {@code size} changes. */
    public List<Change> transaction(int size) {
        List<Change> changes = new ArrayList<>(size);
        Instant timestamp = Instant.ofEpochSecond(1_760_000_000L + sequence, 123_000_000L);
        for (int i = 0; i < size; i++) {
            changes.add(change(timestamp));
        }
        return changes;
    }

    /** {@code count} transactions of {@code size} changes each. */
    public List<List<Change>> transactions(int count, int size) {
        List<List<Change>> transactions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            transactions.add(transaction(size));
        }
        return transactions;
    }

    private Change change(Instant timestamp) {
        long n = ++sequence;
        String type = entityTypes.get(random.nextInt(entityTypes.size()));
        String id = Integer.toString(random.nextInt(ids));
        int dice = random.nextInt(1000);
        if (truncates && dice == 0) {
            return Change.truncate(type, timestamp);
        }
        if (dice < 100) {
            return Change.delete(type, id, timestamp);
        }
        if (dice < 400) {
            // A partial update: only some columns, the others must keep their stored value.
            return Change.update(type, id, "{\"n\":" + n + ",\"done\":" + random.nextBoolean() + "}", timestamp);
        }
        return Change.update(type, id, "{\"id\":" + id + ",\"title\":\"item " + n + " of " + type
                + "\",\"n\":" + n + ",\"tags\":[\"a\",\"b\"],\"price\":" + (n % 1000) + ".25}", timestamp);
    }
}
