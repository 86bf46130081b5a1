package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.util.Optional;

/**
 * An apply that was interrupted: the store recorded a pending marker for a batch and never committed
 * it (the process died, the machine lost power, the store failed). The store itself is consistent —
 * the batch was rolled back whole — but the client cannot know what else it missed, so it verifies
 * with the server after connecting.
 *
 * @param committedLsn the store's committed LSN
 * @param pendingLsn the LSN of the batch that was being applied
 */
public record InterruptedApply(Lsn committedLsn, Lsn pendingLsn) {

    /**
     * The marker a client keeps while it applies batch after batch (with a store that keeps the marker in
     * each batch's commit): recorded once before the first batch, removed when the client closes cleanly.
     * Found at startup it means the client stopped without closing — in the middle of a batch or between
     * two — so it verifies, as after any interrupted apply. It is after every LSN a batch can end at.
     */
    public static final Lsn KEPT_MARKER = Lsn.MAX;

    public InterruptedApply {
        requireNonNull(committedLsn, "committedLsn is null");
        requireNonNull(pendingLsn, "pendingLsn is null");
    }

    /**
     * The startup check: a pending marker that differs from the committed LSN means an apply was
     * interrupted. A clean shutdown leaves no marker (or one equal to the committed LSN), so nothing
     * to verify.
     */
    public static Optional<InterruptedApply> detect(Lsn committedLsn, Optional<Lsn> pendingLsn) {
        requireNonNull(committedLsn, "committedLsn is null");
        return pendingLsn.filter(pending -> !pending.equals(committedLsn))
                .map(pending -> new InterruptedApply(committedLsn, pending));
    }

    /** A log line that says what happened and what the client does about it. */
    public String describe() {
        if (pendingLsn.equals(KEPT_MARKER)) {
            return "the client stopped without closing while it applied batches (the store is at " + committedLsn
                    + "); any batch it was applying was rolled back and the client will verify with the server"
                    + " (sync_verify) after connecting";
        }
        return "an apply was interrupted: the batch ending at " + pendingLsn + " was announced but the store is"
                + " still at " + committedLsn + "; the store rolled it back and the client will verify with the"
                + " server (sync_verify) after connecting";
    }
}
