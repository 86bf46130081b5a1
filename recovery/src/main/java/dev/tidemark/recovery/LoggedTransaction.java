package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;

/**
 * A transaction the change log holds: where it committed and which source transaction it was.
 *
 * @param commit its commit position
 * @param xid its 32-bit transaction id, as logical decoding reports it
 */
public record LoggedTransaction(Lsn commit, long xid) {

    public LoggedTransaction {
        requireNonNull(commit, "commit is null");
    }
}
