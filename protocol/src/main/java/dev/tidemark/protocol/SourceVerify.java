package dev.tidemark.protocol;

import java.util.List;

/**
 * {@code source_verify}, client → server: "compare my store with the source and repair what differs".
 *
 * @param clientId the client (must match the connection's)
 * @param entityTypes the entity types to verify; empty for every type the client receives
 */
public record SourceVerify(String clientId, List<String> entityTypes) implements SourceAuditMessage {

    public static final String TYPE = "source_verify";

    public SourceVerify {
        Validation.requiredId(clientId, "clientId");
        entityTypes = Validation.ids(entityTypes == null ? List.of() : entityTypes, "entityTypes");
        Validation.check(entityTypes.size() == new java.util.HashSet<>(entityTypes).size(),
                "entityTypes lists a type twice");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
