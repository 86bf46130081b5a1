package dev.tidemark.server.auth;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Set;

/**
 * What a signed token grants: one client id, the entity types it may read, until when.
 *
 * @param clientId the only client id the bearer may {@code hello}, ack or verify as
 * @param entityTypes the entity types it may read; {@value #ALL_ENTITY_TYPES} alone means every type
 * @param expiresAt the token is refused from this instant on (second precision on the wire)
 */
public record AccessToken(String clientId, Set<String> entityTypes, Instant expiresAt) {

    /** The entity-type wildcard: every type. */
    public static final String ALL_ENTITY_TYPES = "*";

    public AccessToken {
        requireNonNull(clientId, "clientId is null");
        requireNonNull(expiresAt, "expiresAt is null");
        entityTypes = Set.copyOf(requireNonNull(entityTypes, "entityTypes is null"));
        if (clientId.isEmpty() || clientId.length() > 256) {
            throw new IllegalArgumentException("clientId must be 1 to 256 characters");
        }
        if (entityTypes.isEmpty()) {
            throw new IllegalArgumentException("a token grants at least one entity type (or \"*\" for all)");
        }
        for (String type : entityTypes) {
            if (type.isEmpty()) {
                throw new IllegalArgumentException("an entity type is empty");
            }
        }
    }

    /** The grant this token gives. */
    public ClientGrant grant() {
        return entityTypes.contains(ALL_ENTITY_TYPES)
                ? ClientGrant.allTypes(clientId)
                : ClientGrant.of(clientId, entityTypes);
    }
}
