package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.VerifyStatus;

/**
 * The server's decision about a client's position.
 *
 * @param status what the client must do
 * @param reason why, in a form fit for a log line and a metric tag
 * @param detail the explanation for people
 */
public record Verdict(VerifyStatus status, Reason reason, String detail) {

    /** Why a verdict was reached. */
    public enum Reason {
        /** The client has everything the server has. */
        CAUGHT_UP,
        /** The client is behind, within the retained history. */
        BEHIND,
        /** The client's position belongs to another history. */
        HISTORY_CHANGED,
        /** The client claims a position the server never reached. */
        AHEAD_OF_SERVER,
        /** The client is older than the retained history. */
        BEHIND_RETENTION,
        /** The client's checksum disagrees with the server's: something was skipped or applied twice. */
        CHECKSUM_MISMATCH,
        /** The client's store is behind a position it acknowledged: it lost changes it had committed. */
        WENT_BACK
    }

    public Verdict {
        requireNonNull(status, "status is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(detail, "detail is null");
    }

    /** True when the client must load a snapshot before it may continue. */
    public boolean resyncRequired() {
        return status == VerifyStatus.RESYNC_REQUIRED;
    }
}
