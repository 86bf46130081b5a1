package dev.tidemark.server.feed;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.LoggedChange;
import java.util.List;

/**
 * A chunk of one large transaction that capture wrote to the change log before the transaction's end: durable
 * under the transaction's commit LSN, but beyond the capture position until the rest of the transaction is
 * written. The source committed the transaction already (capture receives only committed transactions), so its
 * changes are final; a reader may send them ahead as parts of the transaction's batch, and must send its last part
 * only once the capture position reaches {@link #lsn()}.
 *
 * @param after the capture position when the chunk was written: every transaction before {@link #lsn()} is at or
 *     before it, in the log
 * @param lsn the transaction's commit LSN
 * @param changes the chunk's changes, consecutive in the transaction ({@code seq} without gaps), in order
 */
public record LoggedChunk(Lsn after, Lsn lsn, List<LoggedChange> changes) {

    public LoggedChunk {
        requireNonNull(after, "after is null");
        requireNonNull(lsn, "lsn is null");
        changes = List.copyOf(changes);
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("a chunk holds at least one change");
        }
        if (!lsn.isAfter(after)) {
            throw new IllegalArgumentException("the chunk's transaction " + lsn + " is not after the position " + after);
        }
        for (int i = 0; i < changes.size(); i++) {
            LoggedChange change = changes.get(i);
            if (!change.lsn().equals(lsn) || (i > 0 && change.seq() != changes.get(i - 1).seq() + 1)) {
                throw new IllegalArgumentException("a chunk holds consecutive changes of transaction " + lsn
                        + "; found " + change.lsn() + "/" + change.seq() + " at " + i);
            }
        }
    }

    /** The {@code seq} of its first change. */
    public int firstSeq() {
        return changes.get(0).seq();
    }

    /** The {@code seq} after its last change. */
    public int nextSeq() {
        return changes.get(changes.size() - 1).seq() + 1;
    }
}
