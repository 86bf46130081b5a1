package dev.tidemark.protocol;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code source_entries}, client → server: the answer to {@link SourceNarrow} — the id and hash of every
 * entity the store holds in the named buckets.
 *
 * @param lsn the store's committed LSN the entries were read at
 * @param buckets the buckets listed (the narrow's)
 * @param entries the entries, each id once
 */
public record SourceEntries(Lsn lsn, BucketSet buckets, List<EntityEntry> entries) implements SourceAuditMessage {

    public static final String TYPE = "source_entries";

    public SourceEntries {
        Validation.required(lsn, "lsn");
        Validation.required(buckets, "buckets");
        entries = List.copyOf(Validation.required(entries, "entries"));
        Set<String> seen = new HashSet<>();
        for (EntityEntry entry : entries) {
            Validation.check(seen.add(entry.entityId()), "entries lists entity " + entry.entityId() + " twice");
        }
    }

    @Override
    public String type() {
        return TYPE;
    }
}
