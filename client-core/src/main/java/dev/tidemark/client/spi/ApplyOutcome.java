package dev.tidemark.client.spi;

/** What {@link SyncStore#apply} did with a batch. */
public enum ApplyOutcome {
    /** Every change was applied and the committed LSN moved to the batch's {@code lsn}. */
    APPLIED,
    /**
     * The batch's {@code lsn} is at or before the committed LSN: it was applied before. Nothing was
     * written; the client acknowledges it as a success (delivery is at-least-once).
     */
    DUPLICATE,
    /**
     * The batch does not start at the committed LSN: its {@code prevLsn} is after it (changes are
     * missing in between) or before it while its {@code lsn} is after it (it overlaps changes already
     * applied). Nothing was written; the client acknowledges {@code error} at the committed LSN, so the
     * server resends from there.
     */
    GAP
}
