package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.recovery.Verdict.Reason;
import java.util.OptionalLong;

/**
 * Decides whether the server can continue a client from where it says it is — on {@code hello} and
 * on {@code sync_verify}. A position means something only within its history and only while the
 * server still retains what follows it; anything else is a resync, never a silent continuation.
 */
public final class PositionCheck {

    private PositionCheck() {}

    /**
     * The verdict for {@code client} against {@code server}. The checksum is compared only when the
     * client sent one and the server can compute its own for the same position.
     */
    public static Verdict check(ClientPosition client, ServerHistory server, ChecksumLookup checksums) {
        requireNonNull(client, "client is null");
        requireNonNull(server, "server is null");
        requireNonNull(checksums, "checksums is null");
        Lsn lsn = client.lsn();
        boolean newStore = client.historyId() == null && lsn.equals(Lsn.ZERO);
        if (client.historyId() == null && !newStore) {
            return resync(Reason.HISTORY_CHANGED, "the client is at " + lsn + " but names no history");
        }
        if (client.historyId() != null && !client.historyId().equals(server.historyId())) {
            return resync(Reason.HISTORY_CHANGED, "the client's history '" + client.historyId()
                    + "' is not the server's '" + server.historyId() + "'");
        }
        if (lsn.isAfter(server.capturePosition())) {
            return resync(Reason.AHEAD_OF_SERVER, "the client is at " + lsn + ", beyond the server's capture position "
                    + server.capturePosition());
        }
        if (lsn.isBefore(server.retainedFrom())) {
            return resync(Reason.BEHIND_RETENTION, "the client is at " + lsn + ", but the server retains changes only"
                    + " after " + server.retainedFrom());
        }
        if (client.checksum().isPresent() && !lsn.equals(Lsn.ZERO)) {
            OptionalLong expected = checksums.checksumThrough(lsn);
            if (expected.isPresent() && expected.getAsLong() != client.checksum().getAsLong()) {
                return resync(Reason.CHECKSUM_MISMATCH, "the client's checksum at " + lsn + " is "
                        + Long.toHexString(client.checksum().getAsLong()) + " but the server's is "
                        + Long.toHexString(expected.getAsLong()) + ": a change was skipped or applied twice");
            }
        }
        if (lsn.equals(server.capturePosition())) {
            return new Verdict(VerifyStatus.UP_TO_DATE, Reason.CAUGHT_UP, "the client is at the server's position " + lsn);
        }
        return new Verdict(VerifyStatus.CHANGES_FOLLOW, Reason.BEHIND, "the client is at " + lsn
                + "; changes up to " + server.capturePosition() + " follow");
    }

    private static Verdict resync(Reason reason, String detail) {
        return new Verdict(VerifyStatus.RESYNC_REQUIRED, reason, detail);
    }
}
