package dev.tidemark.client.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Json;
import dev.tidemark.protocol.JsonMerge;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a store must hold after applying a list of changes, worked out independently of any store
 * (update merges with {@link JsonMerge}, delete removes, truncate empties the type, move takes the
 * entity under {@code fromId} to its new id and merges), and a
 * row-by-row comparison with a real store.
 */
public final class ExpectedState {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Map<String, String>> entities = new TreeMap<>();

    /** The state after applying {@code changes} in order to an empty store. */
    public static ExpectedState of(List<Change> changes) {
        ExpectedState state = new ExpectedState();
        changes.forEach(state::apply);
        return state;
    }

    private void apply(Change change) {
        Map<String, String> type = entities.computeIfAbsent(change.entityType(), key -> new TreeMap<>());
        switch (change.type()) {
            case UPDATE -> {
                String stored = type.get(change.entityId());
                type.put(change.entityId(), stored == null ? Json.canonicalObject(change.data())
                        : JsonMerge.merge(stored, change.data()));
            }
            case DELETE -> type.remove(change.entityId());
            case TRUNCATE -> type.clear();
            case MOVE -> {
                String moved = type.remove(change.fromId());
                String base = moved != null ? moved : type.get(change.entityId());
                type.put(change.entityId(), base == null ? Json.canonicalObject(change.data())
                        : JsonMerge.merge(base, change.data()));
            }
        }
    }

    /** The entity types seen. */
    public List<String> entityTypes() {
        return List.copyOf(entities.keySet());
    }

    /** How many entities of {@code entityType} there must be. */
    public int count(String entityType) {
        return entities.getOrDefault(entityType, Map.of()).size();
    }

    /**
     * Every difference between this state and {@code store}, row by row: missing or extra entities,
     * different values. Empty when they agree.
     */
    public List<String> differencesFrom(SyncStore store) {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> type : entities.entrySet()) {
            Map<String, String> actual = new TreeMap<>();
            store.forEach(type.getKey(), actual::put);
            for (Map.Entry<String, String> entity : type.getValue().entrySet()) {
                String stored = actual.remove(entity.getKey());
                if (stored == null) {
                    differences.add(type.getKey() + "/" + entity.getKey() + " is missing");
                } else if (!tree(stored).equals(tree(entity.getValue()))) {
                    differences.add(type.getKey() + "/" + entity.getKey() + " is " + stored + ", expected "
                            + entity.getValue());
                }
            }
            actual.keySet().forEach(id -> differences.add(type.getKey() + "/" + id + " should not exist"));
        }
        return differences;
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }
}
