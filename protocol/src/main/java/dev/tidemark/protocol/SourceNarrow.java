package dev.tidemark.protocol;

/**
 * {@code source_narrow}, server → client: "list your entities in these buckets" — the client answers with
 * {@link SourceEntries} for exactly these buckets, read at {@code lsn}.
 *
 * @param lsn the position of the verify (the client's committed LSN must still be it)
 * @param buckets the buckets to list
 */
public record SourceNarrow(Lsn lsn, BucketSet buckets) implements SourceAuditMessage {

    public static final String TYPE = "source_narrow";

    public SourceNarrow {
        Validation.required(lsn, "lsn");
        Validation.required(buckets, "buckets");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
