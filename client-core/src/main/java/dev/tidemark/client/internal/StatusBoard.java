package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SnapshotProgress;
import dev.tidemark.client.status.SyncStatus;
import dev.tidemark.protocol.Lsn;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's state and progress. The state is owned by one thread (the transport's event loop): only
 * {@link #on} changes it, by the table in {@link ClientTransitions}, and refuses an event that is no
 * transition of the current state. Progress (positions, counters) is written by the transport and the
 * applier and read by anyone.
 */
final class StatusBoard {

    private static final Logger log = LoggerFactory.getLogger(StatusBoard.class);

    private final Notifier notifier;
    private final ClientTransitions transitions = new ClientTransitions();
    private final BooleanSupplier onOwnerThread;
    private volatile ClientState state = ClientState.NEW;
    private final AtomicReference<Lsn> serverLsn = new AtomicReference<>(Lsn.ZERO);
    private final AtomicLong appliedBatches = new AtomicLong();
    private final AtomicLong appliedChanges = new AtomicLong();
    private final List<CompletableFuture<SyncStatus>> caughtUpWaiters = new ArrayList<>();
    private volatile Lsn committedLsn = Lsn.ZERO;
    private volatile String clientId;
    private volatile String historyId;
    private volatile Instant lastSourceCommit;
    private volatile List<String> incompleteEntityTypes = List.of();
    private volatile SnapshotProgress snapshot;
    private volatile URI server;

    /**
     * @param notifier told about every state change
     * @param onOwnerThread true when called on the thread that owns the state; {@link #on} refuses others
     */
    StatusBoard(Notifier notifier, BooleanSupplier onOwnerThread) {
        this.notifier = requireNonNull(notifier, "notifier is null");
        this.onOwnerThread = requireNonNull(onOwnerThread, "onOwnerThread is null");
    }

    SyncStatus snapshot() {
        return new SyncStatus(state, clientId, historyId, committedLsn, serverLsn.get(),
                appliedBatches.get(), appliedChanges.get(), lastSourceCommit, incompleteEntityTypes, snapshot, server);
    }

    ClientState state() {
        return state;
    }

    /**
     * Moves by {@code event}; see {@link #on(ClientEvent, Runnable)}.
     *
     * @return false when the event is no transition of the current state (refused, nothing changed)
     */
    boolean on(ClientEvent event) {
        return on(event, () -> { });
    }

    /**
     * Moves by {@code event} per {@link ClientTransitions}, running {@code cause} (which reports why) after
     * the state changed and before the change is reported, so listeners hear the reason first. An event that
     * leads to the current state changes nothing and reports nothing. An event that is no transition of the
     * current state is refused and logged: quietly in a terminal state (reports still arrive after a client
     * stopped), as a warning otherwise.
     *
     * @return false when refused
     * @throws IllegalStateException when called on another thread than the owner
     */
    boolean on(ClientEvent event, Runnable cause) {
        if (!onOwnerThread.getAsBoolean()) {
            throw new IllegalStateException("the client's state changes only on its event loop, not on "
                    + Thread.currentThread().getName() + " (" + event + ")");
        }
        ClientState current = state;
        ClientState next = transitions.next(current, event).orElse(null);
        if (next == null) {
            if (current.isTerminal()) {
                log.debug("{} ignored: the client stopped ({})", event, current);
            } else {
                log.warn("{} is no transition of a {} client; ignored (state unchanged)", event, current);
            }
            return false;
        }
        if (next == current) {
            return true;
        }
        state = next;
        cause.run();
        notifier.stateChanged(current, next);
        if (next.isTerminal()) {
            failCaughtUpWaiters(next);
        } else {
            checkCaughtUp();
        }
        return true;
    }

    void clientId(String clientId) {
        this.clientId = clientId;
    }

    void position(Lsn committed, String historyId) {
        this.committedLsn = committed;
        this.historyId = historyId;
        checkCaughtUp();
    }

    void committed(Lsn committed, int changes, Instant lastSourceCommit) {
        this.committedLsn = committed;
        appliedBatches.incrementAndGet();
        appliedChanges.addAndGet(changes);
        if (lastSourceCommit != null) {
            this.lastSourceCommit = lastSourceCommit;
        }
        checkCaughtUp();
    }

    /** The server says which of the client's entity types it cannot capture correctly now. */
    void incomplete(List<String> entityTypes) {
        incompleteEntityTypes = List.copyOf(entityTypes);
        checkCaughtUp();
    }

    /** A part of a per-table snapshot arrived ({@code progress}), or none is under way ({@code null}). */
    void snapshot(SnapshotProgress progress) {
        snapshot = progress;
    }

    /** The client connects to (and, once welcomed, is connected to) the node at {@code server}. */
    void server(URI server) {
        this.server = server;
    }

    /** The server has at least {@code lsn}. */
    void serverSeen(Lsn lsn) {
        serverLsn.accumulateAndGet(lsn, Lsn::max);
    }

    /** Completes once connected with everything up to the server position seen applied. */
    CompletableFuture<SyncStatus> caughtUp() {
        CompletableFuture<SyncStatus> waiter = new CompletableFuture<>();
        synchronized (caughtUpWaiters) {
            caughtUpWaiters.add(waiter);
        }
        ClientState current = state;
        if (current.isTerminal()) {
            failCaughtUpWaiters(current);
        } else {
            checkCaughtUp();
        }
        return waiter;
    }

    private void checkCaughtUp() {
        SyncStatus status = snapshot();
        if (!status.caughtUp()) {
            return;
        }
        List<CompletableFuture<SyncStatus>> done;
        synchronized (caughtUpWaiters) {
            done = new ArrayList<>(caughtUpWaiters);
            caughtUpWaiters.clear();
        }
        done.forEach(waiter -> waiter.complete(status));
    }

    private void failCaughtUpWaiters(ClientState terminal) {
        List<CompletableFuture<SyncStatus>> done;
        synchronized (caughtUpWaiters) {
            done = new ArrayList<>(caughtUpWaiters);
            caughtUpWaiters.clear();
        }
        IllegalStateException problem = new IllegalStateException(
                "the client stopped (" + terminal + ") before it caught up with the server");
        done.forEach(waiter -> waiter.completeExceptionally(problem));
    }
}
