package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import java.util.Set;

/**
 * What a client asked for when it started ({@code hello}, or a legacy client's query parameters).
 *
 * @param clientId the client's id (the token permits it)
 * @param historyId the client's history, or {@code null} (a new store, or a legacy client)
 * @param lastLsn the client's committed position
 * @param v1 whether the client speaks the v1 protocol (a legacy client does not: no welcome, no acks)
 * @param acks whether the client acknowledges batches
 * @param resyncCapable whether the client loads resync snapshots
 * @param filter the entity types it receives
 * @param owedTypes entity types it receives but its store does not hold yet: a snapshot of them comes first
 * @param heldTypes entity types its store holds complete
 */
record StreamTerms(String clientId, String historyId, Lsn lastLsn, boolean v1, boolean acks, boolean resyncCapable,
                   EntityFilter filter, Set<String> owedTypes, Set<String> heldTypes) {

    StreamTerms {
        owedTypes = Set.copyOf(owedTypes);
        heldTypes = Set.copyOf(heldTypes);
    }
}
