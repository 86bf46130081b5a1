package dev.tidemark.protocol;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code source_digest}, server → client: the source's digests at {@code lsn}, a log position the client's
 * stream stands at exactly when this message arrives (every batch up to it was sent before, none after).
 * The client digests its store at that position with the same bucket bits and answers {@link SourceDiff}.
 *
 * @param lsn the position the digests stand for
 * @param digests one digest per entity type verified, each type once
 */
public record SourceDigest(Lsn lsn, List<TypeDigest> digests) implements SourceAuditMessage {

    public static final String TYPE = "source_digest";

    public SourceDigest {
        Validation.required(lsn, "lsn");
        digests = List.copyOf(Validation.required(digests, "digests"));
        Set<String> seen = new HashSet<>();
        for (TypeDigest digest : digests) {
            Validation.requiredId(digest.entityType(), "digests[].entityType");
            Validation.check(seen.add(digest.entityType()), "digests lists " + digest.entityType() + " twice");
        }
    }

    @Override
    public String type() {
        return TYPE;
    }
}
