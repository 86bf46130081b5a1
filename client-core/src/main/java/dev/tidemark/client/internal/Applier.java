package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSourceException;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.LsnCommitted;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.protocol.Welcome;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The applier stage (the seed's "main thread"): the only writer of the store. It takes what the
 * transport received from the {@link Inbox}, in order, and for each batch
 * <ol>
 *   <li>checks the checksum and whether the batch starts at the committed LSN (duplicate, gap);</li>
 *   <li>records the pending marker, then applies the batch in one store transaction — a multi-part
 *       batch streams in through a {@link BatchStream};</li>
 *   <li>after the commit hands {@code lsn_committed} to the connection, which sends
 *       {@code sync_ack success}; a batch not applied is acked {@code error} at the committed LSN.</li>
 * </ol>
 * It also answers each new connection with {@code hello} (built from the store's position after
 * everything received earlier was applied or rolled back) and adopts the server's history on first
 * contact.
 */
final class Applier implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Applier.class);

    private final SyncStore store;
    private final String clientId;
    private final boolean eager;
    private final List<String> subscriptions;
    private final Inbox inbox;
    private final ApplierEvents events;
    private final ArrayDeque<Inbound> deferred = new ArrayDeque<>();

    private Lsn committed;
    /** The welcomed connection, or null. */
    private Connection live;
    /** The batch whose remaining parts are skipped after it failed, or null. */
    private String skipping;
    /** True after a batch was refused and until one is applied: repeated refusals are logged quietly. */
    private boolean refusing;
    /** True until the server answered the verification of an interrupted apply found at startup. */
    private boolean startupVerify;
    private volatile boolean stopping;

    Applier(SyncStore store, String clientId, boolean eager, List<String> subscriptions, Inbox inbox,
            ApplierEvents events, boolean startupVerify) {
        this.store = requireNonNull(store, "store is null");
        this.clientId = requireNonNull(clientId, "clientId is null");
        this.eager = eager;
        this.subscriptions = List.copyOf(subscriptions);
        this.inbox = requireNonNull(inbox, "inbox is null");
        this.events = requireNonNull(events, "events is null");
        this.startupVerify = startupVerify;
        this.committed = store.committedLsn();
    }

    /** Asks the loop to stop; an unfinished multi-part batch rolls back. Follow with an {@link Inbound.Stop}. */
    void stop() {
        stopping = true;
    }

    @Override
    public void run() {
        while (!stopping) {
            Inbound item;
            try {
                item = deferred.isEmpty() ? inbox.take() : deferred.pollFirst();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                handle(item);
            } catch (RuntimeException e) {
                Connection connection = connectionOf(item);
                events.failed(connection, describe(item), e);
            }
        }
        log.debug("applier stopped");
    }

    private void handle(Inbound item) {
        if (item instanceof Inbound.Received received) {
            Message message = received.message();
            if (message instanceof Changes changes) {
                onChanges(received.connection(), changes, received.intact());
            } else if (message instanceof Welcome welcome) {
                onWelcome(received.connection(), welcome);
            }
        } else if (item instanceof Inbound.Opened opened) {
            onOpened(opened.connection());
        } else if (item instanceof Inbound.Closed closed) {
            if (live == closed.connection()) {
                live = null;
            }
            skipping = null;
        } else if (item instanceof Inbound.VerifyRequested request) {
            onVerifyRequested(request.result());
        } else if (item instanceof Inbound.ClearPending) {
            onClearPending();
        } else if (item instanceof Inbound.ConnectNow) {
            events.connectNow();
        } else if (item instanceof Inbound.Stop) {
            stopping = true;
        }
    }

    // ---- connection ---------------------------------------------------------------------------

    private void onOpened(Connection connection) {
        if (!connection.isOpen()) {
            return;
        }
        committed = store.committedLsn();
        Lsn from = committed;
        if (eager) {
            Lsn received = events.eagerResumePosition();
            if (received != null && received.isAfter(from)) {
                from = received;
            }
        }
        List<String> capabilities = eager ? List.of(Hello.CAPABILITY_VERIFY)
                : List.of(Hello.CAPABILITY_ACK, Hello.CAPABILITY_VERIFY);
        String historyId = store.historyId().orElse(null);
        connection.send(new Hello(clientId, from, historyId, Message.PROTOCOL_VERSION, capabilities, subscriptions));
        log.info("{}: hello as '{}' from {} in history {}{}", connection, clientId, from,
                historyId == null ? "(none yet)" : historyId, eager ? " (eager mode: no acks)" : "");
    }

    private void onWelcome(Connection connection, Welcome welcome) {
        if (!connection.isOpen()) {
            return;
        }
        if (welcome.protocolVersion() != Message.PROTOCOL_VERSION) {
            events.refusedForGood(connection, "the server answered with protocol version "
                    + welcome.protocolVersion() + "; this client speaks " + Message.PROTOCOL_VERSION
                    + ". Use a client and server of matching versions.");
            return;
        }
        committed = store.committedLsn();
        Optional<String> history = store.historyId();
        if (history.isEmpty()) {
            if (!committed.equals(Lsn.ZERO)) {
                events.resyncRequired(connection, "the store is at " + committed
                        + " but names no history, so its position cannot be trusted on server history '"
                        + welcome.historyId() + "'");
                return;
            }
            store.resetHistory(welcome.historyId());
            log.info("{}: new store adopts the server's history '{}'", connection, welcome.historyId());
        } else if (!history.get().equals(welcome.historyId())) {
            events.resyncRequired(connection, "the store belongs to history '" + history.get()
                    + "' but the server's history is '" + welcome.historyId() + "'");
            return;
        }
        live = connection;
        events.welcomed(connection, welcome, committed, welcome.historyId());
        if (startupVerify) {
            sendVerify(connection, startupVerifyResult());
        }
    }

    private CompletableFuture<SyncVerifyResult> startupVerifyResult() {
        CompletableFuture<SyncVerifyResult> result = new CompletableFuture<>();
        result.whenComplete((answer, failure) -> {
            if (failure == null && answer.status() != VerifyStatus.RESYNC_REQUIRED) {
                inbox.put(new Inbound.ClearPending());
            }
        });
        return result;
    }

    private void onVerifyRequested(CompletableFuture<SyncVerifyResult> result) {
        Connection connection = live;
        if (connection == null || !connection.isOpen()) {
            result.completeExceptionally(new IllegalStateException(
                    "the client is not connected to the server; verify again once it is connected"));
            return;
        }
        sendVerify(connection, result);
    }

    private void sendVerify(Connection connection, CompletableFuture<SyncVerifyResult> result) {
        // Both values are read between two writes of this (the only) writer, so they belong together.
        Lsn lastLsn = store.committedLsn();
        long checksum = store.committedChecksum();
        connection.sendVerify(new SyncVerify(clientId, lastLsn, checksum), result);
        log.info("{}: sync_verify at {} with checksum {}", connection, lastLsn, Checksum.toHex(checksum));
    }

    private void onClearPending() {
        if (startupVerify) {
            store.clearPending();
            startupVerify = false;
            log.info("the server answered the verification of the interrupted apply; pending marker cleared");
        }
    }

    // ---- batches ------------------------------------------------------------------------------

    private void onChanges(Connection connection, Changes changes, boolean intact) {
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
            refuse(connection, header, changes, ErrorKind.PROTOCOL, header + " arrived before the server's welcome;"
                    + " not applied", null);
            return;
        }
        if (changes.isPart() && changes.part() != 1) {
            refuse(connection, header, changes, ErrorKind.PROTOCOL, "part " + changes.part() + " of batch '"
                    + changes.batchId() + "' arrived without the parts before it", null);
            return;
        }
        if (!intact) {
            refuse(connection, header, changes, ErrorKind.CHECKSUM_MISMATCH, header + " has checksum "
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
                refuse(connection, header, changes, ErrorKind.GAP, gapMessage(header), null);
                return;
            }
            case APPLIED -> apply(connection, header, changes);
        }
    }

    private void apply(Connection connection, BatchHeader header, Changes first) {
        try {
            store.recordPending(header.lsn());
        } catch (RuntimeException e) {
            refuse(connection, header, first, ErrorKind.STORE_FAILURE,
                    "the store could not record the pending marker for " + header + ": " + e.getMessage(), e);
            return;
        }
        BatchStream stream = new BatchStream(first, connection, inbox, deferred, () -> stopping);
        ApplyResult result;
        try {
            result = store.apply(header, stream);
        } catch (BatchAbort abort) {
            aborted(connection, header, stream, abort);
            return;
        } catch (ChangeSourceException e) {
            // A store that wrapped our exception instead of rethrowing it; treat it as cut short.
            aborted(connection, header, stream, new BatchAbort(BatchAbort.Reason.PROTOCOL, String.valueOf(e.getMessage())));
            return;
        } catch (RuntimeException e) {
            if (!stream.lastPartReceived()) {
                skipping = header.batchId();
            }
            refuse(connection, header, null, ErrorKind.STORE_FAILURE,
                    "the store failed to apply " + header + " and rolled it back: " + e.getMessage(), e);
            return;
        }
        committed = result.committedLsn();
        switch (result.outcome()) {
            case APPLIED -> {
                refusing = false;
                connection.acknowledge(new LsnCommitted(committed, header.batchId()));
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
                refuse(connection, header, null, ErrorKind.GAP, gapMessage(header), null);
            }
        }
    }

    private void aborted(Connection connection, BatchHeader header, BatchStream stream, BatchAbort abort) {
        if (!stream.lastPartReceived()) {
            skipping = header.batchId();
        }
        if (abort.acknowledgeAsError()) {
            ErrorKind kind = abort.reason() == BatchAbort.Reason.CHECKSUM_MISMATCH
                    ? ErrorKind.CHECKSUM_MISMATCH : ErrorKind.PROTOCOL;
            refuse(connection, header, null, kind, abort.getMessage(), null);
        } else {
            log.info("{}: {}", connection, abort.getMessage());
            events.refused(header, ErrorKind.INCOMPLETE_BATCH, abort.getMessage(), null);
        }
    }

    /** A batch at or before the committed LSN: acknowledged at its own end, which the store has. */
    private void duplicate(Connection connection, BatchHeader header) {
        log.debug("{}: {} is a duplicate (store at {}); acknowledged, not applied", connection, header, committed);
        if (!eager) {
            // Its own lsn, not the committed one: acks are cumulative, and the committed LSN may lie beyond
            // what this connection was sent, which a server rejects as out of range.
            connection.send(SyncAck.success(clientId, header.lsn(), header.batchId()));
        }
    }

    /**
     * Does not apply a batch: error ack at the committed LSN (the server resends from there), or in
     * eager mode a reconnect from the committed LSN. {@code first} is the batch's first message when
     * its remaining parts are still to be skipped, else null.
     */
    private void refuse(Connection connection, BatchHeader header, Changes first, ErrorKind kind, String message,
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
        if (eager) {
            events.eagerBatchLost(connection);
        } else {
            connection.send(SyncAck.error(clientId, committed, message, header.batchId()));
        }
    }

    private void skipRest(Changes first) {
        if (!first.completesBatch()) {
            skipping = first.batchId();
        }
    }

    private String gapMessage(BatchHeader header) {
        return header + " does not start at the store's committed LSN " + committed + "; not applied, "
                + (eager ? "reconnecting from " : "the server resends from ") + committed;
    }

    private static Connection connectionOf(Inbound item) {
        if (item instanceof Inbound.Received received) {
            return received.connection();
        }
        if (item instanceof Inbound.Opened opened) {
            return opened.connection();
        }
        return null;
    }

    private static String describe(Inbound item) {
        if (item instanceof Inbound.Received received) {
            return "handling '" + received.message().type() + "'";
        }
        return "handling " + item.getClass().getSimpleName();
    }
}
