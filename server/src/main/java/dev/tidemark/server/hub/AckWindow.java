package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import java.util.ArrayDeque;
import java.util.StringJoiner;

/**
 * The batches sent to one client and not yet acknowledged, and the two positions that bound them: acked
 * (durably applied, by the client's word) and sent (where the last complete batch ended).
 */
final class AckWindow {

    /** How an ack's LSN relates to what was sent. */
    enum Check {
        /** At or before the acknowledged position: nothing new. */
        NOT_NEWER,
        /** The end of a batch sent and not yet acknowledged. */
        BATCH_END,
        /** After the end of the last batch sent. */
        BEYOND_SENT,
        /** Within what was sent, but not where a batch ended: the client cannot have committed there. */
        NOT_A_BATCH_END
    }

    private record SentBatch(String batchId, Lsn lsn) {}

    private final ArrayDeque<SentBatch> unacked = new ArrayDeque<>();
    private Lsn acked;
    private Lsn sent;

    AckWindow(Lsn start) {
        this.acked = start;
        this.sent = start;
    }

    /** A complete batch went out to a client that acks. */
    void sent(String batchId, Lsn lsn) {
        unacked.addLast(new SentBatch(batchId, lsn));
        sent = lsn;
    }

    /** A complete batch went out to a client that does not ack: sent counts as acknowledged. */
    void sentWithoutAck(Lsn lsn) {
        sent = lsn;
        acked = lsn;
    }

    Check check(Lsn lsn) {
        if (!lsn.isAfter(acked)) {
            return Check.NOT_NEWER;
        }
        if (lsn.isAfter(sent)) {
            return Check.BEYOND_SENT;
        }
        for (SentBatch batch : unacked) {
            if (batch.lsn().equals(lsn)) {
                return Check.BATCH_END;
            }
        }
        return Check.NOT_A_BATCH_END;
    }

    /** Everything up to {@code lsn} (a batch end, see {@link #check}) is acknowledged. */
    void acknowledge(Lsn lsn) {
        while (!unacked.isEmpty() && !unacked.peekFirst().lsn().isAfter(lsn)) {
            unacked.removeFirst();
        }
        acked = lsn;
    }

    /** True when {@code batchId} names a batch sent and not yet acknowledged. */
    boolean holds(String batchId) {
        for (SentBatch batch : unacked) {
            if (batch.batchId().equals(batchId)) {
                return true;
            }
        }
        return false;
    }

    /** Forgets every unacknowledged batch: the client is at {@code position} and the stream restarts there. */
    void rewind(Lsn position) {
        unacked.clear();
        acked = position;
        sent = position;
    }

    int unackedCount() {
        return unacked.size();
    }

    Lsn acked() {
        return acked;
    }

    Lsn sent() {
        return sent;
    }

    /** The batch ends a client may acknowledge, for error messages. */
    String describe() {
        if (unacked.isEmpty()) {
            return "no batch is waiting for an ack (acknowledged: " + acked + ")";
        }
        StringJoiner ends = new StringJoiner(", ", "batches sent and not acknowledged end at ", "");
        unacked.stream().limit(8).forEach(batch -> ends.add(batch.lsn().toString()));
        if (unacked.size() > 8) {
            ends.add("… " + sent);
        }
        return ends.toString();
    }
}
