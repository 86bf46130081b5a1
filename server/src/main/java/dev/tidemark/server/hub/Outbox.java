package dev.tidemark.server.hub;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.HistoryState;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Streams batches to one client: from the live tail when the client is at its edge, from the change log in
 * keyset pages otherwise; within the ack window and only while the connection is writable, so a slow
 * client holds at most one page and one outbound buffer of memory. Runs on the client's thread only.
 *
 * <p>{@link #pump()} is called whenever progress may be possible: the tip moved, an ack opened the window,
 * the connection became writable, a page arrived, a backoff ended.
 */
final class Outbox {

    /** What the session hears back from its outbox. */
    interface Listener {
        /** A complete batch ending at {@code lsn} was written. */
        void batchSent(Lsn lsn);

        /** The stream cannot go on: the change log failed, or the client's position is no longer retained. */
        void failed(String why, boolean resync, RuntimeException cause);

        /**
         * The stream reached refresh markers of types the client receives: the outbox stops until
         * {@link #snapshotSent} (or {@link #retrySnapshot}); the session sends the snapshot batch after
         * {@code from}'s chain position.
         */
        void snapshotNeeded(List<RefreshMarkers.Marker> markers, java.util.Set<String> owed, AssemblyState from,
                            int epoch);

        /**
         * The stream stopped at a batch boundary after {@link #hold()}: nothing more is written until
         * {@link #release()}; {@code at} is where it stands (everything assembled was written).
         */
        default void held(AssemblyState at, int epoch) {
        }
    }

    private static final long NEVER = Long.MIN_VALUE;

    private final HubContext hub;
    private final ClientChannel channel;
    private final EntityFilter filter;
    private final boolean acks;
    private final Listener listener;
    private final AckWindow window;
    private final ArrayDeque<Outgoing> pending = new ArrayDeque<>();
    private AssemblyState state;
    private int epoch;
    private boolean reading;
    private boolean paused;
    private boolean stopped;
    private String batchInProgress;
    private long lastBatchAt = NEVER;
    private ScheduledFuture<?> emptyBatchTimer;
    /**
     * The stream started (or restarted) behind the tip and has not caught up yet: once it has, the position-only
     * batch goes out at once instead of after {@code emptyBatchInterval}, so a client waiting to be caught up
     * (e.g. {@code --once}) does not wait for it.
     */
    private boolean catchingUp;
    /** A per-table snapshot batch is being sent by the session: nothing else is written meanwhile. */
    private boolean snapshotting;
    /** Entity types the client receives but does not hold yet (a new subscription): snapshotted first. */
    private final java.util.Set<String> owed;
    /** A source verify asked the stream to stop at the next batch boundary. */
    private boolean holdRequested;
    /** Stopped for a source verify: nothing is written until {@link #release()}. */
    private boolean holding;
    private java.util.Set<String> owedServed = java.util.Set.of();
    private Lsn owedServedAt;

    Outbox(HubContext hub, ClientChannel channel, EntityFilter filter, boolean acks, Lsn start, Listener listener) {
        this(hub, channel, filter, acks, start, java.util.Set.of(), listener);
    }

    /** @param owed entity types the client receives but does not hold yet: a snapshot of them comes first */
    Outbox(HubContext hub, ClientChannel channel, EntityFilter filter, boolean acks, Lsn start,
           java.util.Set<String> owed, Listener listener) {
        this.owed = new java.util.TreeSet<>(owed);
        this.hub = hub;
        this.channel = channel;
        this.filter = filter;
        this.acks = acks;
        this.listener = listener;
        this.window = new AckWindow(start);
        this.state = AssemblyState.at(start);
        this.catchingUp = start.isBefore(hub.tail().tip());
    }

    AckWindow window() {
        return window;
    }

    int epoch() {
        return epoch;
    }

    Lsn readPos() {
        return state.readPos();
    }

    int pendingMessages() {
        return pending.size();
    }

    /** The id of the multi-part batch being written, or {@code null}. */
    String batchInProgress() {
        return batchInProgress;
    }

    /** Writes as much as the window and the connection allow, reading more when needed. */
    void pump() {
        if (stopped || paused || snapshotting || holding) {
            return;
        }
        boolean wrote = false;
        while (channel.isWritable()) {
            Outgoing next = pending.peek();
            if (next == null) {
                if (holdRequested && !reading && state.open() == null) {
                    holdRequested = false;
                    holding = true;
                    if (wrote) {
                        channel.flush();
                    }
                    listener.held(state, epoch);
                    return;
                }
                if (reading || (state.open() == null && windowFull()) || !refill()) {
                    break;
                }
                continue;
            }
            if (next.startsBatch() && windowFull()) {
                break;
            }
            pending.poll();
            write(next);
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
        maybeSendEmptyBatch();
    }

    private boolean windowFull() {
        return acks && window.unackedCount() >= hub.config().window();
    }

    /** Fills {@link #pending}; true when the state moved on and the caller should look again. */
    private boolean refill() {
        if (state.open() == null) {
            Lsn tip = hub.streamLimit();
            if (!owed.isEmpty() && hub.resync().snapshots().isPresent() && state.chainLsn().isBefore(tip)) {
                snapshotting = true;
                listener.snapshotNeeded(hub.refreshes().within(state.readPos(), tip, filter), java.util.Set.copyOf(owed),
                        state, epoch);
                return false;
            }
            if (!state.readPos().isBefore(tip)) {
                return false;
            }
            if (filter.nothing()) {
                state = new AssemblyState(LogPosition.afterTransaction(tip), state.chainLsn(), tip, null);
                return false;
            }
            List<RefreshMarkers.Marker> markers = hub.refreshes().within(state.readPos(), tip, filter);
            if ((!markers.isEmpty() || !owed.isEmpty()) && hub.resync().snapshots().isPresent()) {
                snapshotting = true;
                listener.snapshotNeeded(markers, java.util.Set.copyOf(owed), state, epoch);
                return false;
            }
            LiveRange range = hub.tail().startingAt(state.readPos());
            if (range != null && !range.to().isAfter(tip)) {
                takeRange(range);
                return true;
            }
        }
        startRead();
        return false;
    }

    private void takeRange(LiveRange range) {
        List<LoggedChange> rows = range.changes();
        if (!filter.all()) {
            rows = new ArrayList<>();
            for (LoggedChange row : range.changes()) {
                if (filter.matches(row.change().entityType())) {
                    rows.add(row);
                }
            }
        }
        BatchAssembler.Assembled assembled = hub.assembler().assemble(state, rows, range.to(), true, epoch);
        state = assembled.next();
        List<Changes> messages = assembled.messages();
        if (!messages.isEmpty()) {
            hub.metrics().batchesLive.increment();
        }
        if (messages.size() == 1 && !messages.get(0).isPart()) {
            Changes message = messages.get(0);
            ByteBuf shared = range.retainEncoding(
                    new LiveRange.EncodingKey(message.prevLsn(), filter.key(), epoch),
                    () -> encode(message),
                    hit -> (hit == 1 ? hub.metrics().encodingsShared : hub.metrics().encodingsEncoded).increment());
            pending.add(new Outgoing(message, shared));
        } else {
            messages.forEach(message -> pending.add(new Outgoing(message, null)));
        }
    }

    private void startRead() {
        reading = true;
        int readEpoch = epoch;
        AssemblyState from = state;
        Lsn upTo = from.open() != null ? from.open().lsn() : hub.streamLimit();
        BatchAssembler assembler = hub.assembler();
        try {
            hub.readers().execute(() -> {
                BatchAssembler.Assembled page;
                boolean retained;
                try {
                    long started = System.nanoTime();
                    List<LoggedChange> rows = hub.changeLog().read(from.cursor(), upTo, filter.logTypes(),
                            assembler.readLimit());
                    Optional<HistoryState> log = hub.changeLog().state();
                    hub.metrics().logRead(System.nanoTime() - started);
                    retained = log.isPresent() && !from.cursor().lsn().isBefore(log.get().retainedFrom());
                    page = assembler.assemble(from, rows, upTo, rows.size() < assembler.readLimit(), readEpoch);
                } catch (RuntimeException e) {
                    channel.executor().execute(() -> readFailed(readEpoch, e));
                    return;
                }
                boolean stillRetained = retained;
                channel.executor().execute(() -> pageRead(readEpoch, page, stillRetained));
            });
        } catch (RuntimeException e) {
            readFailed(readEpoch, e);
        }
    }

    private void pageRead(int readEpoch, BatchAssembler.Assembled page, boolean retained) {
        if (readEpoch != epoch || stopped) {
            return;
        }
        reading = false;
        if (!retained) {
            listener.failed("the change log was trimmed past the client's position " + state.readPos(), true, null);
            return;
        }
        state = page.next();
        if (!page.messages().isEmpty()) {
            hub.metrics().batchesLog.increment();
        }
        page.messages().forEach(message -> pending.add(new Outgoing(message, null)));
        pump();
    }

    private void readFailed(int readEpoch, RuntimeException e) {
        if (readEpoch != epoch || stopped) {
            return;
        }
        reading = false;
        listener.failed("the change log could not be read", false, e);
    }

    private void write(Outgoing outgoing) {
        Changes message = outgoing.message();
        ByteBuf encoded = outgoing.encoded() != null ? outgoing.encoded() : encode(message);
        hub.metrics().messages.increment();
        hub.metrics().changes.increment(message.data().size());
        hub.metrics().bytes.increment(encoded.readableBytes());
        channel.write(encoded);
        if (message.completesBatch()) {
            batchInProgress = null;
            if (acks) {
                window.sent(message.batchId(), message.lsn());
            } else {
                window.sentWithoutAck(message.lsn());
            }
            lastBatchAt = System.nanoTime();
            listener.batchSent(message.lsn());
        } else {
            batchInProgress = message.batchId();
        }
    }

    private ByteBuf encode(Changes message) {
        return ByteBufUtil.writeUtf8(channel.alloc(), hub.codec().encode(message));
    }

    /**
     * Sends an empty batch to a client whose position fell behind the log only because nothing it receives
     * happened, at most once per {@code emptyBatchInterval}, so quiet clients do not pin the history.
     */
    private void maybeSendEmptyBatch() {
        if (catchingUp && !reading && pending.isEmpty() && state.open() == null
                && state.readPos().equals(state.chainLsn()) && !state.readPos().isBefore(hub.streamLimit())) {
            catchingUp = false;
        }
        if (stopped || paused || snapshotting || holding || reading || !pending.isEmpty() || state.open() != null
                || !state.readPos().isAfter(state.chainLsn()) || windowFull() || !channel.isWritable()) {
            return;
        }
        long interval = hub.config().emptyBatchInterval().toNanos();
        long waited = lastBatchAt == NEVER ? interval : System.nanoTime() - lastBatchAt;
        if (waited >= interval || catchingUp) {
            catchingUp = false;
            Changes empty = BatchAssembler.emptyBatch(state.chainLsn(), state.readPos(), epoch);
            state = new AssemblyState(state.cursor(), state.readPos(), state.readPos(), null);
            write(new Outgoing(empty, null));
            channel.flush();
        } else if (emptyBatchTimer == null) {
            emptyBatchTimer = channel.executor().schedule(() -> {
                emptyBatchTimer = null;
                pump();
            }, interval - waited, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Starts over at {@code position} (the client's committed LSN) after {@code delayMillis}: forgets every
     * unacknowledged batch and everything assembled; batches from now on carry new ids.
     */
    void rewind(Lsn position, long delayMillis) {
        epoch++;
        snapshotting = false;
        holding = false;
        if (owedServedAt != null && position.isBefore(owedServedAt)) {
            owed.addAll(owedServed);
            owedServedAt = null;
        }
        releasePending();
        reading = false;
        batchInProgress = null;
        state = AssemblyState.at(position);
        window.rewind(position);
        lastBatchAt = NEVER;
        catchingUp = position.isBefore(hub.tail().tip());
        if (delayMillis > 0) {
            paused = true;
            channel.executor().schedule(() -> {
                paused = false;
                pump();
            }, delayMillis, TimeUnit.MILLISECONDS);
        } else {
            pump();
        }
    }

    /**
     * The session wrote the whole snapshot batch {@code batchId} (chained after the stream's position, ending at
     * {@code position}): the stream goes on after it.
     */
    void snapshotSent(String batchId, Lsn position, java.util.Set<String> types) {
        snapshotting = false;
        java.util.Set<String> served = new java.util.TreeSet<>(owed);
        served.retainAll(types);
        if (!served.isEmpty()) {
            owed.removeAll(served);
            owedServed = served;
            owedServedAt = position;
        }
        if (acks) {
            window.sent(batchId, position);
        } else {
            window.sentWithoutAck(position);
        }
        batchInProgress = null;
        lastBatchAt = System.nanoTime();
        state = AssemblyState.at(position);
        listener.batchSent(position);
    }

    /** Stops the stream at the next batch boundary for a source verify; {@link Listener#held} says when. */
    void hold() {
        holdRequested = true;
        pump();
    }

    /**
     * While held: the session wrote the whole batch {@code batchId} (chained after the stream's position, ending
     * at {@code position}); the stream stays held and goes on after it on {@link #release()}.
     */
    void heldBatchSent(String batchId, Lsn position) {
        if (acks) {
            window.sent(batchId, position);
        } else {
            window.sentWithoutAck(position);
        }
        batchInProgress = null;
        lastBatchAt = System.nanoTime();
        state = AssemblyState.at(position);
        listener.batchSent(position);
    }

    /** Ends a hold (or a hold not yet reached): the stream goes on. */
    void release() {
        holdRequested = false;
        if (holding) {
            holding = false;
            pump();
        }
    }

    /** Parts of a snapshot batch went out: error acks naming it are not stale. */
    void snapshotPartSent(String batchId) {
        batchInProgress = batchId;
    }

    /** The snapshot could not be sent now: look again after {@code delayMillis}. */
    void retrySnapshot(long delayMillis) {
        int at = epoch;
        channel.executor().schedule(() -> {
            if (at == epoch && snapshotting) {
                snapshotting = false;
                pump();
            }
        }, Math.max(1, delayMillis), TimeUnit.MILLISECONDS);
    }

    /** Stops streaming for good and releases what was assembled. */
    void stop() {
        stopped = true;
        releasePending();
        if (emptyBatchTimer != null) {
            emptyBatchTimer.cancel(false);
            emptyBatchTimer = null;
        }
    }

    private void releasePending() {
        pending.forEach(Outgoing::release);
        pending.clear();
    }
}
