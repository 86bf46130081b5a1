package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
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
 * transport received from the {@link Inbox}, in order: batches go to the {@link BatchApplier}; each
 * new connection is answered with {@code hello}, built from the store's position after everything
 * received before was applied or rolled back; the first {@code welcome} gives a new store the
 * server's history; verify requests read the committed LSN and checksum between two writes.
 */
final class Applier implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Applier.class);

    private final SyncStore store;
    private final String clientId;
    private final AckPolicy acks;
    private final List<String> subscriptions;
    private final Inbox inbox;
    private final ApplierEvents events;
    private final ArrayDeque<Inbound> deferred = new ArrayDeque<>();

    private final BatchApplier batches;
    private final ResyncLedger resync;
    private final HeldTypes held;
    private final SourceVerifier sourceVerifier;
    /** The history of the server that welcomed the live connection, or null. */
    private String serverHistory;
    /** The welcomed connection, or null. */
    private Connection live;
    /** True until the server answered the verification of an interrupted apply found at startup. */
    private boolean startupVerify;
    private volatile boolean stopping;

    Applier(SyncStore store, String clientId, AckPolicy acks, List<String> subscriptions, Inbox inbox,
            ApplierEvents events, boolean startupVerify) {
        this.store = requireNonNull(store, "store is null");
        this.clientId = requireNonNull(clientId, "clientId is null");
        this.acks = requireNonNull(acks, "acks is null");
        this.subscriptions = List.copyOf(subscriptions);
        this.inbox = requireNonNull(inbox, "inbox is null");
        this.events = requireNonNull(events, "events is null");
        this.startupVerify = startupVerify;
        this.batches = new BatchApplier(store, acks, inbox, deferred, () -> stopping, events);
        this.resync = new ResyncLedger(store);
        this.held = new HeldTypes(store, subscriptions);
        this.sourceVerifier = new SourceVerifier(store, clientId);
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
        if (!startupVerify) {
            try {
                batches.closing();
            } catch (RuntimeException e) {
                log.warn("could not remove the pending marker on close ({}); the next start verifies with the server",
                        e.getMessage());
            }
        }
        log.debug("applier stopped");
    }

    private void handle(Inbound item) {
        if (item instanceof Inbound.Received received) {
            Message message = received.message();
            if (message instanceof Changes changes) {
                resync.finishUnrecordedSnapshots();
                boolean tableSnapshot = changes.snapshot() != null && (!changes.isPart() || changes.part() == 1)
                        && changes.prevLsn().equals(store.committedLsn()) && !resync.inProgress();
                if (tableSnapshot) {
                    resync.beginTableSnapshot(changes.lsn(), changes.snapshot().logChecksum());
                    log.info("{}: receiving a snapshot of {} ({} rows estimated) up to {}", received.connection(),
                            changes.snapshot().entityTypes(), changes.snapshot().rowsEstimated() == null ? "no"
                                    : changes.snapshot().rowsEstimated(), changes.lsn());
                }
                batches.onChanges(received.connection(), changes, received.intact());
                if (tableSnapshot) {
                    resync.finishTableSnapshot();
                    if (store.committedLsn().equals(changes.lsn())) {
                        held.snapshotCommitted(changes.snapshot().entityTypes());
                    }
                    events.snapshotDone();
                }
                afterChanges(received.connection(), changes);
            } else if (message instanceof Welcome welcome) {
                resync.finishUnrecordedSnapshots();
                onWelcome(received.connection(), welcome);
            } else if (message instanceof SyncVerifyResult result) {
                onSnapshotFollows(received.connection(), result);
            } else if (message instanceof dev.tidemark.protocol.SourceAuditMessage audit) {
                sourceVerifier.onMessage(received.connection(), audit);
            }
        } else if (item instanceof Inbound.Opened opened) {
            onOpened(opened.connection());
        } else if (item instanceof Inbound.Closed closed) {
            if (live == closed.connection()) {
                live = null;
            }
            batches.connectionClosed();
            sourceVerifier.connectionClosed(closed.connection());
            if (resync.inProgress()) {
                log.warn("{}: the connection closed before the resync snapshot was loaded; the next connection"
                        + " starts the resync over", closed.connection());
                resync.abandon();
            }
        } else if (item instanceof Inbound.VerifyRequested request) {
            onVerifyRequested(request.result());
        } else if (item instanceof Inbound.SourceVerifyRequested request) {
            onSourceVerifyRequested(request.request());
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
        Lsn committed = batches.refresh();
        String historyId = store.historyId().orElse(null);
        Hello hello = acks.hello(clientId, committed, historyId, subscriptions, held);
        connection.send(hello);
        log.info("{}: hello as '{}' from {} in history {} ({})", connection, clientId, hello.lastLsn(),
                historyId == null ? "(none yet)" : historyId, acks);
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
        Lsn committed = batches.refresh();
        Optional<String> history = store.historyId();
        serverHistory = welcome.historyId();
        if (history.isEmpty()) {
            if (!committed.equals(Lsn.ZERO)) {
                if (acks.serverResyncs()) {
                    log.warn("{}: the store is at {} but names no history; the server sends a snapshot", connection,
                            committed);
                } else {
                    events.resyncRequired(connection, "the store is at " + committed
                            + " but names no history, so its position cannot be trusted on server history '"
                            + welcome.historyId() + "'");
                    return;
                }
            } else {
                store.resetHistory(welcome.historyId());
                batches.markerChanged();
                log.info("{}: new store adopts the server's history '{}'", connection, welcome.historyId());
            }
        } else if (!history.get().equals(welcome.historyId())) {
            if (acks.serverResyncs()) {
                // The server checks the history too and answers with a resync: a snapshot follows.
                log.warn("{}: the store belongs to history '{}' but the server's is '{}'; the server sends a"
                        + " snapshot", connection, history.get(), welcome.historyId());
            } else {
                events.resyncRequired(connection, "the store belongs to history '" + history.get()
                        + "' but the server's history is '" + welcome.historyId() + "'");
                return;
            }
        }
        live = connection;
        held.welcomed(history.isEmpty() && committed.equals(Lsn.ZERO));
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
        if (resync.inProgress()) {
            result.completeExceptionally(new IllegalStateException(
                    "the store is loading a resync snapshot; verify again once the client is CONNECTED"));
            return;
        }
        Connection connection = live;
        if (connection == null || !connection.isOpen()) {
            result.completeExceptionally(new IllegalStateException(
                    "the client is not connected to the server; verify again once it is connected"));
            return;
        }
        sendVerify(connection, result);
    }

    private void onSourceVerifyRequested(SourceVerifier.Request request) {
        if (resync.inProgress()) {
            request.result().completeExceptionally(new IllegalStateException(
                    "the store is loading a resync snapshot; verify against the source once the client is CONNECTED"));
            return;
        }
        sourceVerifier.request(live, request);
    }

    private void sendVerify(Connection connection, CompletableFuture<SyncVerifyResult> result) {
        // Both values are read between two writes of this (the only) writer, so they belong together.
        Lsn lastLsn = store.committedLsn();
        Long checksum = resync.verifyChecksum();
        connection.sendVerify(new SyncVerify(clientId, lastLsn, checksum), result);
        log.info("{}: sync_verify at {} with checksum {}", connection, lastLsn,
                checksum == null ? "(unknown after a resync)" : Checksum.toHex(checksum));
    }

    // ---- resync -------------------------------------------------------------------------------

    /** The startup check of the resync marker; see {@link ResyncLedger#recoverAtStartup()}. */
    Optional<String> recoverResync() {
        resync.recoverTableSnapshot().ifPresent(log::info);
        Optional<String> found = resync.recoverAtStartup();
        batches.markerChanged();
        return found;
    }

    /** {@code resync_required} with {@code snapshotLsn}: empty the store, mark it resyncing; the snapshot follows. */
    private void onSnapshotFollows(Connection connection, SyncVerifyResult result) {
        if (!connection.isOpen() || result.snapshotLsn() == null || serverHistory == null) {
            return;
        }
        resync.begin(serverHistory, result.snapshotLsn(), result.snapshotChecksum());
        batches.refresh();
        startupVerify = false;
        log.warn("{}: resync: the store was emptied and is marked resyncing; loading the server's snapshot at {}",
                connection, result.snapshotLsn());
        events.resyncStarted(connection, result.snapshotLsn(), serverHistory);
    }

    /** After a {@code changes} message: the resync finishes once its snapshot batch is committed. */
    private void afterChanges(Connection connection, Changes changes) {
        if (!resync.inProgress() || !changes.lsn().equals(resync.snapshotLsn()) || !changes.prevLsn().equals(Lsn.ZERO)) {
            return;
        }
        Lsn snapshot = resync.snapshotLsn();
        if (resync.finishIfLoaded()) {
            log.info("{}: resync complete: the snapshot at {} is loaded; streaming continues from there", connection,
                    snapshot);
            events.resyncFinished(connection, snapshot, serverHistory);
        } else if (changes.completesBatch() || !connection.isOpen()) {
            resync.abandon();
            events.failed(connection, "loading the resync snapshot",
                    new IllegalStateException("the snapshot batch at " + snapshot + " was not applied; reconnecting"
                            + " to start the resync over"));
        }
    }

    private void onClearPending() {
        if (startupVerify) {
            store.clearPending();
            batches.markerChanged();
            startupVerify = false;
            log.info("the server answered the verification of the interrupted apply; pending marker cleared");
        }
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
