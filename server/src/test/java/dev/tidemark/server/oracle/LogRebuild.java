package dev.tidemark.server.oracle;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state the change log describes, rebuilt from it alone as a client would: {@code update} merges
 * the data's members into the entity (creating it), {@code delete} removes the entity, {@code truncate}
 * removes every entity of its type, {@code move} removes the entity under {@code fromId} and stores it,
 * merged with the data, under the entity id. Values are kept as {@link RawJson} reads them.
 */
final class LogRebuild {

    private final Map<String, Map<String, Map<String, Object>>> entities = new HashMap<>();
    private final Map<String, Long> counts = new HashMap<>();
    private long changes;

    /** Reads the whole log in pages and applies every change. */
    static LogRebuild of(ChangeLog log) {
        LogRebuild rebuild = new LogRebuild();
        LogPosition after = new LogPosition(Lsn.ZERO, 0);
        while (true) {
            List<LoggedChange> page = log.read(after, Lsn.MAX, Set.of(), 5_000);
            if (page.isEmpty()) {
                return rebuild;
            }
            for (LoggedChange logged : page) {
                rebuild.apply(logged.change());
            }
            after = page.get(page.size() - 1).position();
        }
    }

    @SuppressWarnings("unchecked")
    void apply(Change change) {
        changes++;
        counts.merge(change.type().name(), 1L, Long::sum);
        Map<String, Map<String, Object>> ofType = entities.computeIfAbsent(change.entityType(), t -> new HashMap<>());
        switch (change.type().name()) {
            case "UPDATE" -> ofType.computeIfAbsent(change.entityId(), id -> new LinkedHashMap<>())
                    .putAll((Map<String, Object>) RawJson.parse(change.data()));
            case "DELETE" -> ofType.remove(change.entityId());
            case "TRUNCATE" -> ofType.clear();
            case "MOVE" -> {
                Map<String, Object> moved = ofType.remove(change.fromId());
                Map<String, Object> target = moved != null ? moved : new LinkedHashMap<>();
                target.putAll((Map<String, Object>) RawJson.parse(change.data()));
                ofType.put(change.entityId(), target);
            }
            default -> throw new IllegalStateException("the oracle does not know change type " + change.type());
        }
    }

    Map<String, Map<String, Object>> entities(String entityType) {
        return entities.getOrDefault(entityType, Map.of());
    }

    long changes() {
        return changes;
    }

    /** Changes read, per type. */
    Map<String, Long> counts() {
        return counts;
    }
}
