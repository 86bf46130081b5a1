package dev.tidemark.server.auth;

import java.util.Optional;
import java.util.Set;

/**
 * What an authenticated connection may do: which client id it may speak as, and which entity types it
 * may read.
 *
 * @param clientId the only client id allowed, or {@code null} for any (auth disabled)
 * @param allTypes whether every entity type may be read
 * @param entityTypes the entity types that may be read when not {@code allTypes}
 */
public record ClientGrant(String clientId, boolean allTypes, Set<String> entityTypes) {

    public ClientGrant {
        entityTypes = allTypes ? Set.of() : Set.copyOf(entityTypes);
    }

    /** Any client id, every entity type: auth disabled. */
    public static ClientGrant anyone() {
        return new ClientGrant(null, true, Set.of());
    }

    /** {@code clientId}, every entity type. */
    public static ClientGrant allTypes(String clientId) {
        return new ClientGrant(java.util.Objects.requireNonNull(clientId, "clientId is null"), true, Set.of());
    }

    /** {@code clientId}, only {@code entityTypes}. */
    public static ClientGrant of(String clientId, Set<String> entityTypes) {
        return new ClientGrant(java.util.Objects.requireNonNull(clientId, "clientId is null"), false, entityTypes);
    }

    /** True when the connection may speak as {@code id}. */
    public boolean permitsClient(String id) {
        return clientId == null || clientId.equals(id);
    }

    /** The client id the grant is bound to, if any. */
    public Optional<String> boundClientId() {
        return Optional.ofNullable(clientId);
    }
}
