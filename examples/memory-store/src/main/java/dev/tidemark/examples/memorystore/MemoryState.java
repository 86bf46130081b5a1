package dev.tidemark.examples.memorystore;

import dev.tidemark.protocol.JsonMerge;
import dev.tidemark.protocol.Lsn;
import java.util.HashMap;
import java.util.Map;

/** The store's contents: the journal's entries applied in order. Not thread-safe; {@link MemoryStore} guards it. */
final class MemoryState {

    final Map<String, Map<String, String>> entities = new HashMap<>();
    final Map<String, String> metadata = new HashMap<>();
    Lsn committedLsn = Lsn.ZERO;
    long committedChecksum;
    Lsn pendingLsn;
    String historyId;

    void apply(Entry entry) {
        if (entry instanceof Entry.Batch batch) {
            for (Entry.Op op : batch.ops()) {
                apply(op);
            }
            committedLsn = batch.lsn();
            committedChecksum = batch.checksum();
            pendingLsn = null;
        } else if (entry instanceof Entry.Pending pending) {
            pendingLsn = pending.lsn();
        } else if (entry instanceof Entry.PendingCleared) {
            pendingLsn = null;
        } else if (entry instanceof Entry.HistoryReset reset) {
            entities.clear();
            committedLsn = Lsn.ZERO;
            committedChecksum = 0;
            pendingLsn = null;
            historyId = reset.historyId();
        } else if (entry instanceof Entry.MetadataPut put) {
            metadata.put(put.key(), put.value());
        }
    }

    private void apply(Entry.Op op) {
        switch (op.type()) {
            case UPDATE:
                entities.computeIfAbsent(op.entityType(), type -> new HashMap<>())
                        .merge(op.entityId(), op.data(), JsonMerge::merge);
                break;
            case DELETE:
                Map<String, String> byId = entities.get(op.entityType());
                if (byId != null) {
                    byId.remove(op.entityId());
                }
                break;
            case TRUNCATE:
                entities.remove(op.entityType());
                break;
            default:
                throw new IllegalStateException("unknown change type " + op.type());
        }
    }
}
