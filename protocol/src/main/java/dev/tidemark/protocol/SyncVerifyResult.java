package dev.tidemark.protocol;

/**
 * {@code sync_verify_result}, server → client: the answer to {@code sync_verify} (or the server's
 * verdict on a {@code hello} whose position it cannot continue from).
 *
 * <p>A {@code resync_required} answer to a client that declared the {@code resync} capability carries
 * one of two optional parts: {@code retryAfterMs} (the server paces resyncs: reconnect after that
 * long, the server will then send the snapshot), or {@code snapshotLsn} with {@code snapshotChecksum}
 * (a snapshot follows now: one {@code changes} batch with {@code prevLsn 0/0} and
 * {@code lsn = snapshotLsn}, then the changes after it). Clients that know neither field ignore them.
 *
 * @param status up to date, changes follow, or resync required
 * @param lsn the client position the verdict is about
 * @param serverLsn the server's capture position
 * @param retryAfterMs for {@code resync_required}: come back after this many milliseconds, or {@code null}
 * @param snapshotLsn for {@code resync_required}: the position of the snapshot that follows, or {@code null}
 * @param snapshotChecksum the server's checksum through {@code snapshotLsn} (over every entity type), or
 *     {@code null} when it cannot tell; the client adds {@code snapshotChecksum} minus the checksum of the
 *     snapshot's changes to its own checksum from then on
 */
public record SyncVerifyResult(VerifyStatus status, Lsn lsn, Lsn serverLsn, Long retryAfterMs, Lsn snapshotLsn,
                               Long snapshotChecksum) implements Message {

    public static final String TYPE = "sync_verify_result";

    public SyncVerifyResult {
        Validation.required(status, "status");
        Validation.required(lsn, "lsn");
        Validation.required(serverLsn, "serverLsn");
        Validation.check(retryAfterMs == null || retryAfterMs >= 0, "retryAfterMs must not be negative");
        Validation.check(status == VerifyStatus.RESYNC_REQUIRED || (retryAfterMs == null && snapshotLsn == null
                && snapshotChecksum == null), "retryAfterMs and snapshotLsn come only with resync_required");
        Validation.check(retryAfterMs == null || snapshotLsn == null, "retryAfterMs and snapshotLsn exclude each other");
        Validation.check(snapshotChecksum == null || snapshotLsn != null, "snapshotChecksum comes only with snapshotLsn");
    }

    /** A verdict without resync details. */
    public SyncVerifyResult(VerifyStatus status, Lsn lsn, Lsn serverLsn) {
        this(status, lsn, serverLsn, null, null, null);
    }

    /** {@code resync_required}: the server paces resyncs; come back after {@code retryAfterMs}. */
    public static SyncVerifyResult retryLater(Lsn lsn, Lsn serverLsn, long retryAfterMs) {
        return new SyncVerifyResult(VerifyStatus.RESYNC_REQUIRED, lsn, serverLsn, retryAfterMs, null, null);
    }

    /** {@code resync_required}: a snapshot at {@code snapshotLsn} follows now. */
    public static SyncVerifyResult snapshotFollows(Lsn lsn, Lsn serverLsn, Lsn snapshotLsn, Long snapshotChecksum) {
        return new SyncVerifyResult(VerifyStatus.RESYNC_REQUIRED, lsn, serverLsn, null, snapshotLsn, snapshotChecksum);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
