package dev.tidemark.server.changelog.postgres;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
 * @param typeChecksums the checksum sum of the changes written, per entity type
 */
record PendingTransaction(Lsn lsn, int lastSeq, long checksum, long xid, Instant committedAt,
                          List<String> entityTypes, Map<String, Long> typeChecksums) {

    PendingTransaction {
        requireNonNull(lsn, "lsn is null");
        requireNonNull(committedAt, "committedAt is null");
        entityTypes = List.copyOf(entityTypes);
        typeChecksums = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(typeChecksums));
    }
}
