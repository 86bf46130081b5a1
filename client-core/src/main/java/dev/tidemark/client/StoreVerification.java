package dev.tidemark.client;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;

/**
 * The server's verdict when {@link TidemarkClient#verify()} asked it to check the store's position: the
 * committed LSN together with the checksum of every change applied up to it.
 *
 * @param outcome up to date, behind, or resync required
 * @param position the store's committed LSN the verdict is about
 * @param serverLsn the server's capture position when it answered
 * @param snapshotLsn for {@link Outcome#RESYNC_REQUIRED}: the position of the snapshot the server sends now to
 *     resync the store, or {@code null} (no snapshot follows now, or another outcome)
 */
public record StoreVerification(Outcome outcome, Lsn position, Lsn serverLsn, Lsn snapshotLsn) {

    /** The server's verdicts. */
    public enum Outcome {
        /** The store has everything up to the server's position, and its checksum matches the log's. */
        UP_TO_DATE,
        /** The position and checksum match the log; changes after the position follow. */
        CHANGES_FOLLOW,
        /**
         * The server cannot continue from the position (another history, a position it no longer holds, a
         * checksum mismatch): the store is resynced from a snapshot, or the client stops
         * ({@link dev.tidemark.client.status.ClientState#RESYNC_REQUIRED}).
         */
        RESYNC_REQUIRED
    }

    public StoreVerification {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(position, "position is null");
        requireNonNull(serverLsn, "serverLsn is null");
        if (snapshotLsn != null && outcome != Outcome.RESYNC_REQUIRED) {
            throw new IllegalArgumentException("a snapshot position comes only with RESYNC_REQUIRED, not " + outcome);
        }
    }

    /** True for {@link Outcome#UP_TO_DATE} and {@link Outcome#CHANGES_FOLLOW}: the store's position is sound. */
    public boolean sound() {
        return outcome != Outcome.RESYNC_REQUIRED;
    }

    @Override
    public String toString() {
        return switch (outcome) {
            case UP_TO_DATE -> "the store is up to date at " + position;
            case CHANGES_FOLLOW -> "the store is sound at " + position + "; the server is at " + serverLsn;
            case RESYNC_REQUIRED -> "the server cannot continue from " + position + ": the store must be resynced";
        };
    }
}
