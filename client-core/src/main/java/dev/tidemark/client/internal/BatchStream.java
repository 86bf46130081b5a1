package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import java.time.Instant;
import java.util.Deque;
import java.util.function.BooleanSupplier;

/**
 * The changes of one batch as the store pulls them: the first message's changes, then — for a
 * multi-part batch — the changes of each following part, taken from the {@link Inbox} as they
 * arrive. Only one part is held at a time, so a source transaction of any size streams through in
 * bounded memory, into one store transaction.
 *
 * <p>When the rest cannot come — the connection closed, the client is closing, a part fails its
 * checksum, or the server breaks the part sequence — {@link #next()} throws {@link BatchAbort}; the
 * store rolls back. Items that are not parts of this batch (a verify request, say) are set aside in
 * {@code deferred} for the applier to handle after the batch, in their order.
 */
final class BatchStream implements ChangeSource {

    private final Changes first;
    private final Connection connection;
    private final Inbox inbox;
    private final Deque<Inbound> deferred;
    private final BooleanSupplier stopping;

    private Changes part;
    private int index;
    private int parts = 1;
    private int changes;
    private boolean complete;
    private Instant lastTimestamp;

    BatchStream(Changes first, Connection connection, Inbox inbox, Deque<Inbound> deferred, BooleanSupplier stopping) {
        this.first = requireNonNull(first, "first is null");
        this.connection = requireNonNull(connection, "connection is null");
        this.inbox = requireNonNull(inbox, "inbox is null");
        this.deferred = requireNonNull(deferred, "deferred is null");
        this.stopping = requireNonNull(stopping, "stopping is null");
        this.part = first;
    }

    @Override
    public Change next() {
        while (true) {
            if (index < part.data().size()) {
                Change change = part.data().get(index++);
                changes++;
                lastTimestamp = change.timestamp();
                return change;
            }
            if (part.completesBatch()) {
                complete = true;
                return null;
            }
            part = nextPart();
            index = 0;
        }
    }

    private Changes nextPart() {
        int expected = part.part() + 1;
        while (true) {
            if (stopping.getAsBoolean()) {
                throw new BatchAbort(BatchAbort.Reason.STOPPING, "the client is closing during part " + expected
                        + " of batch '" + first.batchId() + "'; the store rolls it back and the batch is sent again"
                        + " after the next start");
            }
            Inbound item;
            try {
                item = inbox.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BatchAbort(BatchAbort.Reason.STOPPING, "interrupted while waiting for part " + expected
                        + " of batch '" + first.batchId() + "'");
            }
            if (item instanceof Inbound.Closed closed && closed.connection() == connection) {
                deferred.addLast(item);
                throw new BatchAbort(BatchAbort.Reason.CONNECTION_LOST, "the connection was lost after part "
                        + (expected - 1) + " of batch '" + first.batchId() + "' (" + closed.reason()
                        + "); the store rolls it back and the batch is sent again after the reconnect");
            }
            if (item instanceof Inbound.Stop) {
                deferred.addLast(item);
                continue;
            }
            if (item instanceof Inbound.Received received && received.connection() == connection
                    && received.message() instanceof Changes next) {
                if (!continues(next, expected)) {
                    deferred.addLast(item);
                    throw new BatchAbort(BatchAbort.Reason.PROTOCOL, "expected part " + expected + " of batch '"
                            + first.batchId() + "' (" + first.prevLsn() + " → " + first.lsn() + "), got "
                            + describe(next) + "; the partial batch was rolled back");
                }
                if (!received.intact()) {
                    part = next;
                    index = next.data().size();
                    throw new BatchAbort(BatchAbort.Reason.CHECKSUM_MISMATCH, "part " + expected + " of batch '"
                            + first.batchId() + "' has checksum " + Checksum.toHex(next.checksum())
                            + " but its data sums to " + Checksum.toHex(Checksum.of(next.data()))
                            + "; the partial batch was rolled back");
                }
                parts++;
                return next;
            }
            deferred.addLast(item);
        }
    }

    private boolean continues(Changes next, int expected) {
        return next.isPart() && next.part() == expected && next.batchId().equals(first.batchId())
                && next.prevLsn().equals(first.prevLsn()) && next.lsn().equals(first.lsn());
    }

    private static String describe(Changes changes) {
        return (changes.isPart() ? "part " + changes.part() + " of " : "") + "batch '" + changes.batchId() + "' ("
                + changes.prevLsn() + " → " + changes.lsn() + ")";
    }

    /** True once the last part was read to its end. */
    boolean complete() {
        return complete;
    }

    /**
     * True once the part with {@code last: true} (or the single part) was taken from the inbox; when
     * false after a failure, the batch's remaining parts are still to come and must be skipped.
     */
    boolean lastPartReceived() {
        return part.completesBatch();
    }

    int parts() {
        return parts;
    }

    int changes() {
        return changes;
    }

    /** The source commit time of the last change read, or null. */
    Instant lastTimestamp() {
        return lastTimestamp;
    }
}
