package dev.tidemark.protocol;

/**
 * {@code lsn_committed}, inside a client from its applier to its transport: the store committed
 * everything up to {@code lsn}; the transport records it and sends a {@code sync_ack}.
 *
 * @param lsn the store's new committed LSN
 * @param batchId the batch that was committed, or {@code null}
 */
public record LsnCommitted(Lsn lsn, String batchId) implements Message {

    public static final String TYPE = "lsn_committed";

    public LsnCommitted {
        Validation.required(lsn, "lsn");
        Validation.optionalId(batchId, "batchId");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
