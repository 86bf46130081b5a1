package dev.tidemark.protocol;

/**
 * {@code sync_verify}, client → server: "I may have missed something; here is where I am".
 *
 * @param clientId the client (must match the connection's)
 * @param lastLsn the client's committed LSN
 * @param checksum the client's running {@link Checksum} over every change it applied up to
 *     {@code lastLsn}, or {@code null} when it keeps none
 */
public record SyncVerify(String clientId, Lsn lastLsn, Long checksum) implements Message {

    public static final String TYPE = "sync_verify";

    public SyncVerify {
        Validation.requiredId(clientId, "clientId");
        Validation.required(lastLsn, "lastLSN");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
