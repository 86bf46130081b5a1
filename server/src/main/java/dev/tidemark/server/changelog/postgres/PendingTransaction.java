package dev.tidemark.server.changelog.postgres;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.time.Instant;
import java.util.List;

/**
 * The one transaction written in chunks whose commit is beyond the capture position: its changes
 * {@code 0..lastSeq} are in the log, invisible to readers.
 *
 * @param lsn its commit LSN
 * @param lastSeq the last change index written
 * @param checksum the checksum sum of the changes written
 * @param xid its transaction id
 * @param committedAt its commit time
 * @param entityTypes the entity types of the changes written, sorted, without repeats
 */
record PendingTransaction(Lsn lsn, int lastSeq, long checksum, long xid, Instant committedAt,
                          List<String> entityTypes) {

    PendingTransaction {
        requireNonNull(lsn, "lsn is null");
        requireNonNull(committedAt, "committedAt is null");
        entityTypes = List.copyOf(entityTypes);
    }
}
