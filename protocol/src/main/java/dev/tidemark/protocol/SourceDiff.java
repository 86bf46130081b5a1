package dev.tidemark.protocol;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code source_diff}, client → server: the answer to {@link SourceDigest} — the buckets whose digests differ
 * from the store's at {@code lsn}. Empty when the store agrees with the source.
 *
 * @param lsn the store's committed LSN the client digested at (must be the digest's)
 * @param differing per entity type that differs, its differing buckets at the digest's bucket bits
 */
public record SourceDiff(Lsn lsn, List<BucketSet> differing) implements SourceAuditMessage {

    public static final String TYPE = "source_diff";

    public SourceDiff {
        Validation.required(lsn, "lsn");
        differing = List.copyOf(Validation.required(differing, "buckets"));
        Set<String> seen = new HashSet<>();
        for (BucketSet set : differing) {
            Validation.check(seen.add(set.entityType()), "buckets lists " + set.entityType() + " twice");
        }
    }

    /** True when nothing differs. */
    public boolean agrees() {
        return differing.isEmpty();
    }

    @Override
    public String type() {
        return TYPE;
    }
}
