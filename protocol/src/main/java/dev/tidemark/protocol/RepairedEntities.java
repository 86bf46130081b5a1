package dev.tidemark.protocol;

import java.util.List;

/**
 * The entities of one type a source verify repaired.
 *
 * @param entityType the entity type
 * @param entityIds the ids of the repaired entities (rewritten from the source, or deleted when the source
 *     does not hold them), sorted
 */
public record RepairedEntities(String entityType, List<String> entityIds) {

    public RepairedEntities {
        Validation.requiredId(entityType, "repaired[].entityType");
        entityIds = List.copyOf(Validation.required(entityIds, "repaired[].entityIds"));
        Validation.check(!entityIds.isEmpty(), "repaired entities of " + entityType + " are empty");
    }
}
