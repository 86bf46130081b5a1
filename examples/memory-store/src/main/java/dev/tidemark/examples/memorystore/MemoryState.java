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
            case MOVE:
                move(op);
                break;
            default:
                throw new IllegalStateException("unknown change type " + op.type());
        }
    }

    /** The entity under fromId, if any, leaves it and lands merged under entityId; else an update. */
    private void move(Entry.Op op) {
        Map<String, String> byId = entities.computeIfAbsent(op.entityType(), type -> new HashMap<>());
        String moved = op.fromId().equals(op.entityId()) ? null : byId.remove(op.fromId());
        if (moved == null) {
            byId.merge(op.entityId(), op.data(), JsonMerge::merge);
        } else {
            byId.put(op.entityId(), JsonMerge.merge(moved, op.data()));
        }
    }
}
