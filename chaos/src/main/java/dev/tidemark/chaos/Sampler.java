package dev.tidemark.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Samples one client's store while the run goes on: its position never goes backwards, an item's version never
 * goes backwards, a deleted item never comes back (ids are never reused), and the balances always sum to the
 * constant (the transfer transactions reach the client whole or not at all).
 */
final class Sampler {

    private final ClientStore store;
    private final List<String> problems = new ArrayList<>();
    private String history;
    private final Set<String> histories = new java.util.LinkedHashSet<>();
    private long lastLsn;
    private final Map<Long, Long> versions = new HashMap<>();
    private final Set<Long> gone = new HashSet<>();
    private int samples;
    private int resyncingSamples;
    private int tries;
    private int unreadable;
    private int outOfOrder;
    private int invariantBreaks;

    Sampler(ClientStore store) {
        this.store = store;
    }

    synchronized void sample() {
        tries++;
        store.sample().ifPresentOrElse(this::check, () -> unreadable++);
    }

    /** For the run's log: how the samples went. */
    synchronized String summary() {
        return samples + " checked, " + resyncingSamples + " empty or resyncing, " + unreadable + " unreadable, of "
                + tries + " tries";
    }

    private void check(StoreReader.Sample sample) {
        if (sample.resyncing() || sample.committedLsn() == 0) {
            // Emptied and being reloaded (a resync, as documented), or empty at 0/0 (nothing synced yet, or an
            // interrupted resync starting over): the store claims nothing to check.
            resyncingSamples++;
            return;
        }
        samples++;
        if (history != null && history.equals(sample.historyId()) && Long.compareUnsigned(sample.committedLsn(), lastLsn) < 0) {
            outOfOrder++;
            note("position went back from " + lastLsn + " to " + sample.committedLsn());
        }
        history = sample.historyId();
        if (history != null) {
            histories.add(history);
        }
        lastLsn = sample.committedLsn();
        Map<Integer, Long> balances = sample.balances();
        if (!balances.isEmpty()) {
            long sum = balances.values().stream().mapToLong(Long::longValue).sum();
            if (balances.size() != SourceModel.ACCOUNTS || sum != SourceModel.TOTAL_BALANCE) {
                invariantBreaks++;
                note("balances " + balances + " sum to " + sum + " at " + sample.committedLsn());
            }
        }
        for (Map.Entry<Long, Long> item : sample.itemVersions().entrySet()) {
            Long before = versions.get(item.getKey());
            if (gone.contains(item.getKey()) || (before != null && item.getValue() < before)) {
                outOfOrder++;
                note("item " + item.getKey() + " went back to version " + item.getValue() + " from "
                        + (gone.contains(item.getKey()) ? "deleted" : before));
            }
        }
        for (Long id : versions.keySet()) {
            if (!sample.itemVersions().containsKey(id)) {
                gone.add(id);
            }
        }
        versions.clear();
        versions.putAll(sample.itemVersions());
    }

    private void note(String problem) {
        if (problems.size() < 20) {
            problems.add(problem);
        }
    }

    /** The history the store was last seen on (null before its first position). */
    synchronized String history() {
        return history;
    }

    /** Every history the store was seen on, in order. */
    synchronized List<String> histories() {
        return List.copyOf(histories);
    }

    /** Samples that found the store loading a resync snapshot (not checked). */
    synchronized int resyncingSamples() {
        return resyncingSamples;
    }

    synchronized int samples() {
        return samples;
    }

    synchronized int outOfOrder() {
        return outOfOrder;
    }

    synchronized int invariantBreaks() {
        return invariantBreaks;
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }
}
