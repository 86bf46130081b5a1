package dev.tidemark.server.capture;

import dev.tidemark.server.spi.TableRefresh;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a transaction changes in the set of captured tables, written with its commit: refresh markers
 * (at its commit position), the shapes to record after the append, and the entity types no longer
 * followed ({@code removed}: a truncate of the type is in the transaction's changes; {@code forgotten}:
 * excluded, entities kept).
 */
record TableUpdates(List<TableRefresh> refreshes, Map<String, String> shapes, List<String> removed,
                    List<String> forgotten) {

    static final TableUpdates NONE = new TableUpdates(List.of(), Map.of(), List.of(), List.of());

    TableUpdates {
        refreshes = List.copyOf(refreshes);
        shapes = Map.copyOf(shapes);
        removed = List.copyOf(removed);
        forgotten = List.copyOf(forgotten);
    }

    boolean isEmpty() {
        return refreshes.isEmpty() && shapes.isEmpty() && removed.isEmpty() && forgotten.isEmpty();
    }

    /** The entity types no longer followed, either way. */
    List<String> dropped() {
        List<String> dropped = new ArrayList<>(removed);
        dropped.addAll(forgotten);
        return dropped;
    }

    /** Collects the updates of several transactions, later ones winning. */
    static final class Builder {
        private final List<TableRefresh> refreshes = new ArrayList<>();
        private final Map<String, String> shapes = new LinkedHashMap<>();
        private final List<String> dropped = new ArrayList<>();

        void add(TableUpdates updates) {
            refreshes.addAll(updates.refreshes());
            for (String type : updates.dropped()) {
                shapes.remove(type);
                dropped.add(type);
            }
            for (Map.Entry<String, String> shape : updates.shapes().entrySet()) {
                dropped.remove(shape.getKey());
                shapes.put(shape.getKey(), shape.getValue());
            }
        }

        List<TableRefresh> refreshes() {
            return refreshes;
        }

        Map<String, String> shapes() {
            return shapes;
        }

        List<String> dropped() {
            return dropped;
        }
    }
}
