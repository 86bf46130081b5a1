package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.HistoryState;
import java.util.Optional;

/**
 * Whether capture continues the change log's history or must start a new one, decided at every
 * capture start from the change log, the source and its slot. The rule: continue only when nothing
 * can have been lost in between — same cluster, same timeline, same slot, and a slot that confirmed
 * nothing the change log does not hold. Anything else starts a new history (clients resync), loudly.
 *
 * @param action what to do
 * @param startPosition for {@link Action#CONTINUE}, where streaming starts (the change log's capture
 *     position); for {@link Action#NEW_HISTORY_ON_SLOT}, the slot's confirmed position, where the new
 *     history starts; otherwise {@code null} (the new slot's consistent point decides)
 * @param reason why, for the log
 */
record HistoryDecision(Action action, Lsn startPosition, String reason) {

    /** What capture does with the history and the slot. */
    enum Action {
        /** Continue the history from the change log's capture position. */
        CONTINUE,
        /** Start a new history on the existing slot, from its confirmed position. */
        NEW_HISTORY_ON_SLOT,
        /** Create the missing slot and start a new history at its consistent point. */
        NEW_HISTORY_CREATE_SLOT,
        /** Drop the invalidated slot, create it again, and start a new history at its consistent point. */
        NEW_HISTORY_RECREATE_SLOT
    }

    HistoryDecision {
        requireNonNull(action, "action is null");
        requireNonNull(reason, "reason is null");
    }

    boolean newHistory() {
        return action != Action.CONTINUE;
    }

    static HistoryDecision decide(Optional<HistoryState> log, SourceIdentity source, Optional<SlotInfo> slot,
                                  String slotName) {
        if (slot.isEmpty()) {
            return new HistoryDecision(Action.NEW_HISTORY_CREATE_SLOT, null, log.isEmpty()
                    ? "first start: replication slot " + slotName + " does not exist yet"
                    : "replication slot " + slotName + " is gone (dropped while capture was down?): changes made"
                            + " since it was dropped were not captured");
        }
        SlotInfo info = slot.get();
        if (info.lost() || info.confirmedFlush() == null) {
            return new HistoryDecision(Action.NEW_HISTORY_RECREATE_SLOT, null, "replication slot " + slotName
                    + " was invalidated by PostgreSQL (wal_status " + info.walStatus() + ", for example by"
                    + " max_slot_wal_keep_size): the WAL it needed is gone");
        }
        Lsn confirmed = info.confirmedFlush();
        if (log.isEmpty()) {
            return new HistoryDecision(Action.NEW_HISTORY_ON_SLOT, confirmed,
                    "the change log holds no history yet; starting one on existing slot " + slotName);
        }
        HistoryState state = log.get();
        Optional<HistoryIdentity> identity = HistoryIdentity.parse(state.historyId());
        if (identity.isEmpty()) {
            return new HistoryDecision(Action.NEW_HISTORY_ON_SLOT, confirmed, "the change log's history "
                    + state.historyId() + " was not started by capture from this kind of source");
        }
        HistoryIdentity id = identity.get();
        if (!id.systemId().equals(source.systemId())) {
            return new HistoryDecision(Action.NEW_HISTORY_ON_SLOT, confirmed, "the source is a different PostgreSQL"
                    + " cluster (system identifier " + source.systemId() + ", the history was captured from "
                    + id.systemId() + ")");
        }
        if (id.timeline() != source.timeline()) {
            return new HistoryDecision(Action.NEW_HISTORY_ON_SLOT, confirmed, "the source moved from timeline "
                    + id.timeline() + " to " + source.timeline() + " (restored to a point in time, or a standby"
                    + " was promoted)");
        }
        if (!id.slotName().equals(slotName)) {
            return new HistoryDecision(Action.NEW_HISTORY_ON_SLOT, confirmed, "capture now uses slot " + slotName
                    + " but the history was captured through slot " + id.slotName());
        }
        if (state.capturePosition().isAfter(source.walPosition())) {
            return new HistoryDecision(Action.NEW_HISTORY_ON_SLOT, confirmed, "the source's WAL ends at "
                    + source.walPosition() + ", before the change log's capture position " + state.capturePosition()
                    + ": the source was restored from a backup");
        }
        if (confirmed.isAfter(state.capturePosition())) {
            return new HistoryDecision(Action.NEW_HISTORY_ON_SLOT, confirmed, "replication slot " + slotName
                    + " confirmed " + confirmed + ", past the change log's capture position "
                    + state.capturePosition() + ": the slot was recreated or advanced by someone else, and changes"
                    + " in between may be missing");
        }
        return new HistoryDecision(Action.CONTINUE, state.capturePosition(), "continuing history "
                + state.historyId() + " from " + state.capturePosition() + " (slot confirmed " + confirmed + ")");
    }
}
