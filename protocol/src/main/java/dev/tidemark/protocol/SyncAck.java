package dev.tidemark.protocol;

/**
 * {@code sync_ack}, client → server, sent only after the client's store committed.
 *
 * @param clientId the acknowledging client (must match the connection's)
 * @param lsn on success, everything up to it is durably applied (cumulative); on error, the
 *     client's committed LSN, from which the server resends after a backoff
 * @param status success or error
 * @param error what went wrong, for an error ack; otherwise {@code null}
 * @param batchId the batch acknowledged, or {@code null}
 */
public record SyncAck(String clientId, Lsn lsn, AckStatus status, String error, String batchId) implements Message {

    public static final String TYPE = "sync_ack";

    public SyncAck {
        Validation.requiredId(clientId, "clientId");
        Validation.required(lsn, "lsn");
        Validation.required(status, "status");
        Validation.optionalId(batchId, "batchId");
    }

    public static SyncAck success(String clientId, Lsn lsn, String batchId) {
        return new SyncAck(clientId, lsn, AckStatus.SUCCESS, null, batchId);
    }

    public static SyncAck error(String clientId, Lsn committed, String error, String batchId) {
        return new SyncAck(clientId, committed, AckStatus.ERROR, error, batchId);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
