package dev.tidemark.examples.memorystore;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Lsn;
import java.util.List;

/**
 * One durable step of the store, as the journal records it. The store's state is these entries
 * applied in order ({@link MemoryState#apply(Entry)}), both live and when replaying the journal.
 */
sealed interface Entry {

    /** An applied batch: its changes, the LSN and the running checksum after it. */
    record Batch(Lsn lsn, long checksum, List<Op> ops) implements Entry {
        public Batch {
            requireNonNull(lsn, "lsn is null");
            ops = List.copyOf(ops);
        }
    }

    /**
     * One change as stored: {@code data} is canonical JSON object text for an update or a move, else
     * null; {@code fromId} is a move's previous id, else null.
     */
    record Op(ChangeType type, String entityType, String entityId, String data, String fromId) {
        public Op {
            requireNonNull(type, "type is null");
            requireNonNull(entityType, "entityType is null");
            if ((type == ChangeType.MOVE) != (fromId != null)) {
                throw new IllegalArgumentException("a move, and only a move, has a fromId");
            }
        }
    }

    /** {@code recordPending(lsn)}. */
    record Pending(Lsn lsn) implements Entry {
        public Pending {
            requireNonNull(lsn, "lsn is null");
        }
    }

    /** {@code clearPending()}. */
    record PendingCleared() implements Entry {}

    /** {@code resetHistory(historyId)}. */
    record HistoryReset(String historyId) implements Entry {
        public HistoryReset {
            requireNonNull(historyId, "historyId is null");
        }
    }

    /** {@code putMetadata(key, value)}. */
    record MetadataPut(String key, String value) implements Entry {
        public MetadataPut {
            requireNonNull(key, "key is null");
            requireNonNull(value, "value is null");
        }
    }
}
