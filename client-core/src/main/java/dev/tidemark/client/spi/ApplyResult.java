package dev.tidemark.client.spi;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;

/**
 * The result of {@link SyncStore#apply}.
 *
 * @param outcome what happened to the batch
 * @param committedLsn the store's committed LSN after the call: the batch's {@code lsn} when
 *     {@link ApplyOutcome#APPLIED}, unchanged otherwise
 */
public record ApplyResult(ApplyOutcome outcome, Lsn committedLsn) {

    public ApplyResult {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(committedLsn, "committedLsn is null");
    }

    /** The batch was applied; the store is now at {@code lsn}. */
    public static ApplyResult applied(Lsn lsn) {
        return new ApplyResult(ApplyOutcome.APPLIED, lsn);
    }

    /** Nothing was written; the store stays at {@code committedLsn}. */
    public static ApplyResult notApplied(ApplyOutcome outcome, Lsn committedLsn) {
        if (outcome == ApplyOutcome.APPLIED) {
            throw new IllegalArgumentException("notApplied needs DUPLICATE or GAP, not APPLIED");
        }
        return new ApplyResult(outcome, committedLsn);
    }

    /** True when the batch was applied now. */
    public boolean applied() {
        return outcome == ApplyOutcome.APPLIED;
    }
}
