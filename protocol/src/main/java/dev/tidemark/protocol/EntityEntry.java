package dev.tidemark.protocol;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One entity of a narrowed source-verify: its id and its {@link EntityDigest#hash hash}. Comparing the
 * entries of a bucket on both sides names the divergent entities exactly.
 *
 * @param entityId the entity id
 * @param hash the entity's hash
 */
public record EntityEntry(String entityId, DigestHash hash) {

    public EntityEntry {
        requireNonNull(entityId, "entityId is null");
        requireNonNull(hash, "hash is null");
    }

    /**
     * The ids whose entries differ between the two sides: held by one side only, or with different hashes.
     * Sorted by id (String order).
     *
     * @throws IllegalArgumentException when one side lists an id twice
     */
    public static SortedSet<String> divergentIds(Collection<EntityEntry> source, Collection<EntityEntry> client) {
        Map<String, DigestHash> sourceHashes = byId(source, "source");
        Map<String, DigestHash> clientHashes = byId(client, "client");
        SortedSet<String> divergent = new TreeSet<>();
        sourceHashes.forEach((id, hash) -> {
            if (!hash.equals(clientHashes.get(id))) {
                divergent.add(id);
            }
        });
        clientHashes.keySet().forEach(id -> {
            if (!sourceHashes.containsKey(id)) {
                divergent.add(id);
            }
        });
        return divergent;
    }

    private static Map<String, DigestHash> byId(Collection<EntityEntry> entries, String side) {
        Map<String, DigestHash> hashes = new HashMap<>(entries.size() * 2);
        for (EntityEntry entry : entries) {
            if (hashes.put(entry.entityId(), entry.hash()) != null) {
                throw new IllegalArgumentException("the " + side + " lists entity " + entry.entityId() + " twice");
            }
        }
        return hashes;
    }
}
