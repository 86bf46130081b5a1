package dev.tidemark.server.spi;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;

/**
 * One change as kept in the change log, keyed by ({@code lsn}, {@code seq}).
 *
 * @param lsn the commit LSN of the source transaction
 * @param seq the change's index inside its transaction, from 0
 * @param xid the source transaction id
 * @param change the change itself (its {@code data} is canonical JSON text)
 */
public record LoggedChange(Lsn lsn, int seq, long xid, Change change) {

    public LoggedChange {
        requireNonNull(lsn, "lsn is null");
        requireNonNull(change, "change is null");
        if (seq < 0) {
            throw new IllegalArgumentException("seq is negative: " + seq);
        }
    }

    /** This change's position in the log. */
    public LogPosition position() {
        return new LogPosition(lsn, seq);
    }
}
