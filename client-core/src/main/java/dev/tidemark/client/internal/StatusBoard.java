package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The engine's progress, written by the transport and the applier, read by anyone. State changes
 * are reported to a {@link Notifier}; terminal states are never left except for {@link EngineState#CLOSED}.
 */
final class StatusBoard {

    private final Notifier notifier;
    private final AtomicReference<EngineState> state = new AtomicReference<>(EngineState.NEW);
    private final AtomicReference<Lsn> serverLsn = new AtomicReference<>(Lsn.ZERO);
    private final AtomicLong appliedBatches = new AtomicLong();
    private final AtomicLong appliedChanges = new AtomicLong();
    private final List<CompletableFuture<EngineStatus>> caughtUpWaiters = new ArrayList<>();
    private volatile Lsn committedLsn = Lsn.ZERO;
    private volatile String clientId;
    private volatile String historyId;
    private volatile Instant lastSourceCommit;
    private volatile List<String> incompleteEntityTypes = List.of();
    private volatile SnapshotReceipt snapshot;

    StatusBoard(Notifier notifier) {
        this.notifier = requireNonNull(notifier, "notifier is null");
    }

    EngineStatus snapshot() {
        return new EngineStatus(state.get(), clientId, historyId, committedLsn, serverLsn.get(),
                appliedBatches.get(), appliedChanges.get(), lastSourceCommit, incompleteEntityTypes, snapshot);
    }

    EngineState state() {
        return state.get();
    }

    /**
     * Moves to {@code next} unless the current state is terminal (only {@link EngineState#CLOSED}
     * follows a terminal state). Reports the change.
     *
     * @return true when the state changed
     */
    boolean moveTo(EngineState next) {
        return moveTo(next, () -> { });
    }

    /**
     * Like {@link #moveTo(EngineState)}, running {@code cause} (which reports why) after the state
     * changed and before the change is reported, so listeners hear the reason first.
     */
    boolean moveTo(EngineState next, Runnable cause) {
        while (true) {
            EngineState current = state.get();
            if (current == next || current == EngineState.CLOSED
                    || (current.isTerminal() && next != EngineState.CLOSED)) {
                return false;
            }
            if (state.compareAndSet(current, next)) {
                cause.run();
                notifier.stateChanged(current, next);
                if (next.isTerminal()) {
                    failCaughtUpWaiters(next);
                } else {
                    checkCaughtUp();
                }
                return true;
            }
        }
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
    void snapshot(SnapshotReceipt progress) {
        snapshot = progress;
    }

    /** The server has at least {@code lsn}. */
    void serverSeen(Lsn lsn) {
        serverLsn.accumulateAndGet(lsn, Lsn::max);
    }

    /** Completes once connected with everything up to the server position seen applied. */
    CompletableFuture<EngineStatus> caughtUp() {
        CompletableFuture<EngineStatus> waiter = new CompletableFuture<>();
        synchronized (caughtUpWaiters) {
            caughtUpWaiters.add(waiter);
        }
        EngineState current = state.get();
        if (current.isTerminal()) {
            failCaughtUpWaiters(current);
        } else {
            checkCaughtUp();
        }
        return waiter;
    }

    private void checkCaughtUp() {
        EngineStatus status = snapshot();
        if (!status.caughtUp()) {
            return;
        }
        List<CompletableFuture<EngineStatus>> done;
        synchronized (caughtUpWaiters) {
            done = new ArrayList<>(caughtUpWaiters);
            caughtUpWaiters.clear();
        }
        done.forEach(waiter -> waiter.complete(status));
    }

    private void failCaughtUpWaiters(EngineState terminal) {
        List<CompletableFuture<EngineStatus>> done;
        synchronized (caughtUpWaiters) {
            done = new ArrayList<>(caughtUpWaiters);
            caughtUpWaiters.clear();
        }
        IllegalStateException problem = new IllegalStateException(
                "the client stopped (" + terminal + ") before it caught up with the server");
        done.forEach(waiter -> waiter.completeExceptionally(problem));
    }
}
