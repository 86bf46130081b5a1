package dev.tidemark.server.changelog.postgres;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A row of {@code tidemark.change_transaction}: one complete transaction.
 *
 * @param lsn its commit LSN
 * @param xid its transaction id
 * @param changeCount how many changes it holds
 * @param checksum the checksum sum of its changes
 * @param cumulativeChecksum the checksum sum of every change of the history through it
 * @param committedAt its commit time
 * @param entityTypes the entity types it touches, sorted, without repeats
 * @param typeCumulative for each type it touches, the checksum sum of that type's changes of the history
 *     through it
 */
record TransactionSummary(Lsn lsn, long xid, int changeCount, long checksum, long cumulativeChecksum,
                          Instant committedAt, List<String> entityTypes, Map<String, Long> typeCumulative) {

    TransactionSummary {
        requireNonNull(lsn, "lsn is null");
        requireNonNull(committedAt, "committedAt is null");
        entityTypes = List.copyOf(entityTypes);
        typeCumulative = Map.copyOf(typeCumulative);
    }
}
