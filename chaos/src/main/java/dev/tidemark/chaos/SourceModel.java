package dev.tidemark.chaos;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the source must hold, kept by the writer from the transactions it knows committed. At the end of a run
 * the source must equal it exactly, which proves the writer knows the truth the clients are compared with.
 */
final class SourceModel {

    /** One row of {@code items}: {@code big} is stored out of line (TOAST) and left out of partial updates. */
    record Item(long version, String note, String big) {}

    static final int ACCOUNTS = 10;
    static final long TOTAL_BALANCE = 10_000;

    final Map<Long, Item> items = new TreeMap<>();
    final Map<Integer, Long> accounts = new TreeMap<>();
    /** Event id to its batch; the payload is {@code "payload-" + id}. */
    final Map<Long, Integer> events = new TreeMap<>();
    long nextItemId = 1;
    long nextEventId = 1;
    long rowChanges;
    long transactions;
}
