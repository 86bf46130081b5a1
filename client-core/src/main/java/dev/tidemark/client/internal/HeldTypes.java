package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.SyncStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Which entity types the store holds complete, kept in store metadata ({@value #KEY}: the types one per line,
 * {@code *} for every type), so that a client that subscribes to a new type says so in {@code hello}
 * ({@code heldEntityTypes}) and the server sends that type's snapshot first (protocol.md, "Snapshots per
 * table"). A store without the record (older stores) is taken to hold what it subscribes to. Applier thread only.
 */
final class HeldTypes {

    static final String KEY = "tidemark.entity-types";
    private static final String ALL = "*";

    private final SyncStore store;
    private final List<String> subscriptions;

    HeldTypes(SyncStore store, List<String> subscriptions) {
        this.store = requireNonNull(store, "store is null");
        this.subscriptions = List.copyOf(subscriptions);
    }

    /** What {@code hello} says the store holds, or null when it says nothing. */
    List<String> forHello() {
        String record = store.metadata(KEY).orElse("");
        if (record.isEmpty() || record.equals(ALL) || store.historyId().isEmpty()) {
            return null;
        }
        return parse(record);
    }

    /**
     * After {@code welcome}: a new store, or one without the record, holds what it subscribes to from now on; a
     * store whose subscriptions shrank holds only what it still receives. A store that held a list of types and
     * now subscribes to every type keeps its list until the snapshot of the others is committed.
     */
    void welcomed(boolean newStore) {
        String record = store.metadata(KEY).orElse("");
        if (newStore || record.isEmpty()) {
            write(subscriptions);
            return;
        }
        if (record.equals(ALL) || subscriptions.isEmpty()) {
            return;
        }
        List<String> kept = new ArrayList<>(parse(record));
        kept.retainAll(subscriptions);
        write(kept);
    }

    /**
     * A snapshot of {@code types} was committed: the store holds them now. A store that subscribes to every type
     * holds every type after its first snapshot: the server's first snapshot on a connection whose hello named a
     * list of held types covers every type the client receives but does not hold (protocol.md, "Snapshots per
     * table"), and a resync snapshot covers every type.
     */
    void snapshotCommitted(List<String> types) {
        String record = store.metadata(KEY).orElse("");
        if (record.isEmpty() || record.equals(ALL)) {
            return;
        }
        if (subscriptions.isEmpty()) {
            write(List.of());
            return;
        }
        TreeSet<String> held = new TreeSet<>(parse(record));
        for (String type : types) {
            if (subscriptions.contains(type)) {
                held.add(type);
            }
        }
        write(List.copyOf(held));
    }

    private void write(List<String> types) {
        String value = types.isEmpty() && subscriptions.isEmpty() ? ALL
                : String.join("\n", new TreeSet<>(types));
        if (!value.equals(store.metadata(KEY).orElse(""))) {
            store.putMetadata(KEY, value.isEmpty() ? "\n" : value);
        }
    }

    private static List<String> parse(String record) {
        return Arrays.stream(record.split("\n")).filter(type -> !type.isBlank()).toList();
    }
}
