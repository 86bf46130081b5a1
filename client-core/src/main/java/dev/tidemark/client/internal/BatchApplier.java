package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSourceException;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.status.SyncError;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.LsnCommitted;
import dev.tidemark.recovery.InterruptedApply;
import java.util.Deque;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's rules for one batch (protocol.md, "Applying a batch"), on the applier thread:
 * <ul>
 *   <li>checksum mismatch, or a batch that does not start at the committed LSN (gap, overlap): apply
 *       nothing, ack {@code error} at the committed LSN;</li>
 *   <li>a batch at or before the committed LSN (duplicate): apply nothing, ack {@code success};</li>
 *   <li>otherwise make sure the pending marker is recorded (once, kept by each commit, when the store can
 *       keep it; else before each batch) and apply it in one store transaction — a multi-part batch
 *       streams in through a {@link BatchStream} — then hand {@code lsn_committed} to the connection,
 *       which acks {@code success}; a store failure leaves nothing and is acked {@code error} with its text.</li>
 * </ul>
 * After a batch is refused, its remaining parts are skipped. Acknowledgements go through the
 * {@link AckPolicy}.
 */
final class BatchApplier {

    private static final Logger log = LoggerFactory.getLogger(BatchApplier.class);

    private final SyncStore store;
    private final AckPolicy acks;
    private final Inbox inbox;
    private final Deque<Inbound> deferred;
    private final BooleanSupplier stopping;
    private final ApplierEvents events;

    private Lsn committed;
    /** The batch whose remaining parts are skipped after it failed, or null. */
    private String skipping;
    /** True after a batch was refused and until one is applied: repeated refusals are logged quietly. */
    private boolean refusing;
    /** Whether the store holds a pending marker (as far as this class knows; {@link #markerChanged} re-reads it). */
    private boolean marked;
    /** True after an apply that began was rolled back (failed, cut short), until a batch commits. */
    private boolean rolledBack;

    BatchApplier(SyncStore store, AckPolicy acks, Inbox inbox, Deque<Inbound> deferred,
                 BooleanSupplier stopping, ApplierEvents events) {
        this.store = requireNonNull(store, "store is null");
        this.acks = requireNonNull(acks, "acks is null");
        this.inbox = requireNonNull(inbox, "inbox is null");
        this.deferred = requireNonNull(deferred, "deferred is null");
        this.stopping = requireNonNull(stopping, "stopping is null");
        this.events = requireNonNull(events, "events is null");
        this.committed = store.committedLsn();
        this.marked = store.pendingLsn().isPresent();
    }

    /** Reads the committed LSN (and the pending marker) from the store again (the truth; this class only caches them). */
    Lsn refresh() {
        committed = store.committedLsn();
        markerChanged();
        return committed;
    }

    /** Something else wrote the pending marker (cleared it, reset the history): read it again. */
    void markerChanged() {
        marked = store.pendingLsn().isPresent();
    }

    /**
     * The client closes cleanly: the marker kept while applying is removed, unless an apply since it was
     * recorded was rolled back (then the next start verifies, as after an interrupted apply).
     */
    void closing() {
        if (marked && !rolledBack) {
            store.clearPending();
            marked = false;
        }
    }

    /** The connection that sent the parts being skipped is gone: nothing more of them will come. */
    void connectionClosed() {
        skipping = null;
    }

    /** Handles one received {@code changes} message (a whole batch, or the first part of one). */
    void onChanges(Connection connection, Changes changes, boolean intact) {
        if (skipping != null) {
            if (changes.isPart() && changes.batchId().equals(skipping)) {
                if (changes.completesBatch()) {
                    skipping = null;
                }
                return;
            }
            skipping = null;
        }
        BatchHeader header = new BatchHeader(changes.batchId(), changes.prevLsn(), changes.lsn());
        if (!connection.isWelcomed()) {
            refuse(connection, header, changes, SyncError.Kind.PROTOCOL, header + " arrived before the server's welcome;"
                    + " not applied", null);
            return;
        }
        if (changes.isPart() && changes.part() != 1) {
            refuse(connection, header, changes, SyncError.Kind.PROTOCOL, "part " + changes.part() + " of batch '"
                    + changes.batchId() + "' arrived without the parts before it", null);
            return;
        }
        if (!intact) {
            refuse(connection, header, changes, SyncError.Kind.CHECKSUM_MISMATCH, header + " has checksum "
                    + Checksum.toHex(changes.checksum()) + " but its data sums to "
                    + Checksum.toHex(Checksum.of(changes.data())) + "; not applied", null);
            return;
        }
        switch (header.outcomeAt(committed)) {
            case DUPLICATE -> {
                duplicate(connection, header);
                skipRest(changes);
                return;
            }
            case GAP -> {
                refuse(connection, header, changes, SyncError.Kind.GAP, gapMessage(header), null);
                return;
            }
            case APPLIED -> apply(connection, header, changes);
        }
    }

    private void apply(Connection connection, BatchHeader header, Changes first) {
        // With a store that keeps the marker in each batch's commit, it is recorded once and stays while
        // batches apply (an interruption at any point is detectable at startup, at no durable write per
        // batch); otherwise it is recorded before each batch and cleared by its commit.
        boolean keepMarker = store.canKeepPending();
        try {
            if (!keepMarker) {
                store.recordPending(header.lsn());
                marked = true;
            } else if (!marked) {
                store.recordPending(InterruptedApply.KEPT_MARKER);
                marked = true;
            }
        } catch (RuntimeException e) {
            refuse(connection, header, first, SyncError.Kind.STORE_FAILURE,
                    "the store could not record the pending marker for " + header + ": " + e.getMessage(), e);
            return;
        }
        BatchStream stream = new BatchStream(first, connection, inbox, deferred, stopping);
        ApplyResult result;
        try {
            result = keepMarker ? store.applyKeepingPending(header, stream) : store.apply(header, stream);
        } catch (BatchAbort abort) {
            rolledBack = true;
            aborted(connection, header, stream, abort);
            return;
        } catch (ChangeSourceException e) {
            rolledBack = true;
            // A store that wrapped our exception instead of rethrowing it; treat it as cut short.
            aborted(connection, header, stream, new BatchAbort(BatchAbort.Reason.PROTOCOL, String.valueOf(e.getMessage())));
            return;
        } catch (RuntimeException e) {
            rolledBack = true;
            if (!stream.lastPartReceived()) {
                skipping = header.batchId();
            }
            refuse(connection, header, null, SyncError.Kind.STORE_FAILURE,
                    "the store failed to apply " + header + " and rolled it back: " + e.getMessage(), e);
            return;
        }
        committed = result.committedLsn();
        switch (result.outcome()) {
            case APPLIED -> {
                refusing = false;
                rolledBack = false;
                marked = keepMarker;
                acks.committed(connection, new LsnCommitted(committed, header.batchId()));
                events.applied(header, stream.changes(), stream.parts(), stream.lastTimestamp());
            }
            case DUPLICATE -> {
                if (!stream.lastPartReceived()) {
                    skipping = header.batchId();
                }
                duplicate(connection, header);
            }
            case GAP -> {
                if (!stream.lastPartReceived()) {
                    skipping = header.batchId();
                }
                refuse(connection, header, null, SyncError.Kind.GAP, gapMessage(header), null);
            }
        }
    }

    private void aborted(Connection connection, BatchHeader header, BatchStream stream, BatchAbort abort) {
        if (!stream.lastPartReceived()) {
            skipping = header.batchId();
        }
        if (abort.acknowledgeAsError()) {
            SyncError.Kind kind = abort.reason() == BatchAbort.Reason.CHECKSUM_MISMATCH
                    ? SyncError.Kind.CHECKSUM_MISMATCH : SyncError.Kind.PROTOCOL;
            refuse(connection, header, null, kind, abort.getMessage(), null);
        } else {
            log.info("{}: {}", connection, abort.getMessage());
            events.refused(header, SyncError.Kind.INCOMPLETE_BATCH, abort.getMessage(), null);
        }
    }

    /** A batch at or before the committed LSN: acknowledged at its own end, which the store has. */
    private void duplicate(Connection connection, BatchHeader header) {
        log.debug("{}: {} is a duplicate (store at {}); acknowledged, not applied", connection, header, committed);
        acks.duplicate(connection, header);
    }

    /**
     * Does not apply a batch: the {@link AckPolicy} tells the server (an error ack at the committed LSN)
     * or reconnects from the committed LSN. {@code first} is the batch's first message when
     * its remaining parts are still to be skipped, else null.
     */
    private void refuse(Connection connection, BatchHeader header, Changes first, SyncError.Kind kind, String message,
                        Throwable cause) {
        if (first != null) {
            skipRest(first);
        }
        if (refusing) {
            log.debug("{}: {}", connection, message);
        } else {
            log.warn("{}: {}", connection, message);
        }
        refusing = true;
        events.refused(header, kind, message, cause);
        acks.refused(connection, header, committed, message);
    }

    private void skipRest(Changes first) {
        if (!first.completesBatch()) {
            skipping = first.batchId();
        }
    }

    private String gapMessage(BatchHeader header) {
        return header + " does not start at the store's committed LSN " + committed + "; not applied, "
                + acks.recovery(committed);
    }
}
