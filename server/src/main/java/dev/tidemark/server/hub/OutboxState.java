package dev.tidemark.server.hub;

/**
 * What an {@link Outbox} is doing, and which stream it serves: the {@code epoch} counts rewinds, so a page
 * read or a timer of an earlier stream is recognised and dropped. Exactly one activity at a time:
 *
 * <pre>
 * READY ──pump finds nothing assembled──▶ READING ──page arrived──▶ READY
 * READY ──refresh markers / owed types──▶ SNAPSHOTTING ──snapshot sent or retry──▶ READY
 * READY ──hold reached a batch boundary──▶ HOLDING ──release──▶ READY
 * any but STOPPED ──rewind with a delay──▶ PAUSED ──delay over──▶ READY   (rewind without delay: READY)
 * any ──stop──▶ STOPPED (final)
 * </pre>
 */
record OutboxState(Activity activity, int epoch) {

    /** The outbox's one activity. */
    enum Activity {
        /** Writes what is assembled, assembles more from the live tail, or starts a read. */
        READY,
        /** A page of the change log is being read on a reader thread; it is written when it arrives. */
        READING,
        /** Waiting out a resend backoff after a rewind. */
        PAUSED,
        /** The session sends a per-table snapshot batch; nothing else is written meanwhile. */
        SNAPSHOTTING,
        /** Stopped at a batch boundary for a source verify. */
        HOLDING,
        /** Streaming ended for good. */
        STOPPED
    }

    static OutboxState start() {
        return new OutboxState(Activity.READY, 0);
    }

    boolean is(Activity candidate) {
        return activity == candidate;
    }

    /** Whether {@link Outbox#pump()} may write: ready, or a read in flight (it writes nothing until the page). */
    boolean streams() {
        return activity == Activity.READY || activity == Activity.READING;
    }

    /** The same stream, now doing {@code next}. A stopped outbox stays stopped. */
    OutboxState to(Activity next) {
        return activity == Activity.STOPPED ? this : new OutboxState(next, epoch);
    }

    /** A new stream (a rewind): the next epoch, doing {@code next}. A stopped outbox stays stopped. */
    OutboxState rewound(Activity next) {
        return activity == Activity.STOPPED ? this : new OutboxState(next, epoch + 1);
    }
}
