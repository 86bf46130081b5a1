package dev.tidemark.protocol;

/**
 * {@code sync_verify_result}, server → client: the answer to {@code sync_verify} (or the server's
 * verdict on a {@code hello} whose position it cannot continue from).
 *
 * @param status up to date, changes follow, or resync required
 * @param lsn the client position the verdict is about
 * @param serverLsn the server's capture position
 */
public record SyncVerifyResult(VerifyStatus status, Lsn lsn, Lsn serverLsn) implements Message {

    public static final String TYPE = "sync_verify_result";

    public SyncVerifyResult {
        Validation.required(status, "status");
        Validation.required(lsn, "lsn");
        Validation.required(serverLsn, "serverLsn");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
