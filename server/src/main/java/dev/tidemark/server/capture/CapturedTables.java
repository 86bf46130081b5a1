package dev.tidemark.server.capture;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tables capture follows and the shape it last followed each in, by entity type: what the change
 * log's history reflects (markers written for them), loaded from the change log at every session start
 * and updated by the replication thread as it writes markers. Read by the schema watch on the heartbeat
 * thread to notice schema changes no change has shown yet. Thread-safe.
 */
final class CapturedTables {

    private final Map<String, String> shapes = new ConcurrentHashMap<>();

    void load(Map<String, String> recorded) {
        shapes.clear();
        shapes.putAll(recorded);
    }

    /** The shape text last followed for {@code entityType}, or {@code null} when it is not followed. */
    String shape(String entityType) {
        return shapes.get(entityType);
    }

    void put(String entityType, String shape) {
        shapes.put(entityType, shape);
    }

    void remove(String entityType) {
        shapes.remove(entityType);
    }

    Set<String> entityTypes() {
        return Set.copyOf(shapes.keySet());
    }
}
