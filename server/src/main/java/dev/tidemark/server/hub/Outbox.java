package dev.tidemark.server.hub;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.server.feed.LoggedChunk;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
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
         * The change log is in another history than the stream ({@code historyId}): the page read is not sent,
         * and the stream stops; every position of the client is meaningless now.
         */
        void historyChanged(String historyId);

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

    private final HubConfig config;
    private final LiveEdge edge;
    private final LogPages pages;
    private final BatchAssembler assembler;
    private final HubMetrics metrics;
    private final MessageCodec codec;
    private final PreEncodedBatch preEncoded;
    /** Whether this server takes snapshots (refresh markers and owed types are then served by one). */
    private final boolean snapshots;
    private final ClientChannel channel;
    private final EntityFilter filter;
    private final boolean acks;
    private final Listener listener;
    /** The history this stream serves: the log's at the session's start decision. */
    private final String history;
    private final AckWindow window;
    private final ArrayDeque<Outgoing> pending = new ArrayDeque<>();
    private AssemblyState state;
    private OutboxState mode = OutboxState.start();
    private String batchInProgress;
    private long lastBatchAt = NEVER;
    private ScheduledFuture<?> emptyBatchTimer;
    /**
     * The stream started (or restarted) behind the tip and has not caught up yet: once it has, the position-only
     * batch goes out at once instead of after {@code emptyBatchInterval}, so a client waiting to be caught up
     * (e.g. {@code --once}) does not wait for it.
     */
    private boolean catchingUp;
    /** Entity types the client receives but does not hold yet (a new subscription): snapshotted first. */
    private final java.util.Set<String> owed;
    /** A source verify asked the stream to stop at the next batch boundary. */
    private boolean holdRequested;
    private java.util.Set<String> owedServed = java.util.Set.of();
    private Lsn owedServedAt;
    /**
     * The large transaction whose chunks this stream is taking as capture logs them ahead of its end, and the
     * {@code seq} of the next chunk to take; {@code null} when none.
     */
    private Lsn aheadLsn;
    private int aheadNextSeq;
    /** When this stream last took changes ahead; the stall check runs while parts ahead wait for capture. */
    private long aheadProgressAt;
    private ScheduledFuture<?> aheadStallCheck;

    /**
     * @param snapshots whether this server takes snapshots
     * @param owed entity types the client receives but does not hold yet: a snapshot of them comes first
     * @param history the change log's history the stream serves; a page read from another stops the stream
     */
    Outbox(HubConfig config, LiveEdge edge, LogPages pages, BatchAssembler assembler, HubMetrics metrics,
           MessageCodec codec, PreEncodedBatch preEncoded, boolean snapshots, ClientChannel channel,
           EntityFilter filter, boolean acks, Lsn start, java.util.Set<String> owed, String history,
           Listener listener) {
        this.owed = new java.util.TreeSet<>(owed);
        this.config = config;
        this.edge = edge;
        this.pages = pages;
        this.assembler = assembler;
        this.metrics = metrics;
        this.codec = codec;
        this.preEncoded = preEncoded;
        this.snapshots = snapshots;
        this.channel = channel;
        this.filter = filter;
        this.acks = acks;
        this.listener = listener;
        this.history = history;
        this.window = new AckWindow(start);
        this.state = AssemblyState.at(start);
        this.catchingUp = start.isBefore(edge.tip());
    }

    AckWindow window() {
        return window;
    }

    int epoch() {
        return mode.epoch();
    }

    /** What the outbox is doing now. */
    OutboxState mode() {
        return mode;
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
        if (!mode.streams()) {
            return;
        }
        boolean wrote = false;
        while (channel.isWritable()) {
            Outgoing next = pending.peek();
            if (next == null) {
                if (holdRequested && !mode.is(OutboxState.Activity.READING) && state.open() == null) {
                    holdRequested = false;
                    mode = mode.to(OutboxState.Activity.HOLDING);
                    if (wrote) {
                        channel.flush();
                    }
                    listener.held(state, mode.epoch());
                    return;
                }
                if (mode.is(OutboxState.Activity.READING) || (state.open() == null && windowFull()) || !refill()) {
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
        return acks && window.unackedCount() >= config.window();
    }

    /** Fills {@link #pending}; true when the state moved on and the caller should look again. */
    private boolean refill() {
        if (aheadLsn != null && !aheadLsn.isAfter(edge.streamLimit())) {
            aheadLsn = null; // the transaction is whole in the log: the rest is read from there
            if (state.open() != null && snapshots
                    && !edge.markersWithin(state.readPos(), state.open().lsn(), filter).isEmpty()) {
                // Its commit brought a table refresh: the client needs a snapshot before the transaction, and parts
                // of it went out already. It rolls them back when the connection closes and resumes before it.
                listener.failed("a table refresh came with transaction " + state.open().lsn() + " after parts of it"
                        + " were sent ahead", false, null);
                return false;
            }
        }
        if (aheadLsn != null) {
            return takeAhead();
        }
        if (state.open() == null) {
            Lsn tip = edge.streamLimit();
            if (!owed.isEmpty() && snapshots && state.chainLsn().isBefore(tip)) {
                mode = mode.to(OutboxState.Activity.SNAPSHOTTING);
                listener.snapshotNeeded(edge.markersWithin(state.readPos(), tip, filter), java.util.Set.copyOf(owed),
                        state, mode.epoch());
                return false;
            }
            if (!state.readPos().isBefore(tip)) {
                return owed.isEmpty() && !holdRequested && !filter.nothing() && takeAhead();
            }
            if (filter.nothing()) {
                state = new AssemblyState(LogPosition.afterTransaction(tip), state.chainLsn(), tip, null);
                return false;
            }
            List<RefreshMarkers.Marker> markers = edge.markersWithin(state.readPos(), tip, filter);
            if ((!markers.isEmpty() || !owed.isEmpty()) && snapshots) {
                mode = mode.to(OutboxState.Activity.SNAPSHOTTING);
                listener.snapshotNeeded(markers, java.util.Set.copyOf(owed), state, mode.epoch());
                return false;
            }
            List<LiveRange> span = edge.spanFrom(state.readPos(), tip, filter, config.batchMaxChanges(),
                    config.batchMaxBytes());
            if (!span.isEmpty()) {
                takeSpan(span);
                return true;
            }
        }
        startRead();
        return false;
    }

    /**
     * Assembles consecutive whole live ranges into one batch, from their changes' checksums and encodings made once
     * for every client ({@link LiveSpan}): one range (a client at the head) is encoded once and shared with every
     * client at the same position; several (a client behind the head) go coalesced.
     */
    private void takeSpan(List<LiveRange> span) {
        LiveSpan rows = LiveSpan.of(span, filter, preEncoded);
        LiveRange first = span.get(0);
        LiveRange last = span.get(span.size() - 1);
        BatchAssembler.Assembled assembled = assembler.assemble(state, rows.rows(), rows::checksum, last.to(), true,
                mode.epoch());
        state = assembled.next();
        List<Changes> messages = assembled.messages();
        if (!messages.isEmpty()) {
            metrics.batchesLive.increment();
            if (span.size() > 1) {
                metrics.batchesCoalesced.increment();
            }
        }
        if (span.size() == 1 && messages.size() == 1 && !messages.get(0).isPart()) {
            Changes message = messages.get(0);
            ByteBuf shared = first.retainEncoding(
                    new LiveRange.EncodingKey(message.prevLsn(), filter.key(), mode.epoch()),
                    () -> preEncoded.encode(channel.alloc(), message, rows, 0),
                    hit -> (hit == 1 ? metrics.encodingsShared : metrics.encodingsEncoded).increment());
            pending.add(new Outgoing(message, shared != null ? shared : preEncoded.encode(channel.alloc(), message,
                    rows, 0)));
        } else {
            int from = 0;
            for (Changes message : messages) {
                pending.add(new Outgoing(message, preEncoded.encode(channel.alloc(), message, rows, from)));
                from += message.data().size();
            }
        }
    }

    /**
     * Takes the next changes of the large transaction capture is writing, as parts of its batch sent ahead of its end
     * (docs/protocol.md, "Multi-part batches"): from its first change when the stream stands right before the
     * transaction, then on from where the last take ended while the stream keeps up with the chunks kept. At most
     * {@code batch-max-changes} wanted changes a take, as a page of the log holds. True when changes were taken.
     */
    private boolean takeAhead() {
        EarlyTransaction early = edge.early();
        if (early == null) {
            return false;
        }
        int seq;
        if (aheadLsn == null) {
            if (state.open() != null || !early.after().equals(state.readPos())) {
                return false;
            }
            seq = 0;
        } else if (early.lsn().equals(aheadLsn)) {
            seq = aheadNextSeq;
        } else {
            return false;
        }
        LoggedChunk chunk = early.chunkHolding(seq);
        if (chunk == null) {
            return false;
        }
        List<LoggedChange> rows = chunk.changes();
        List<LoggedChange> wanted = new ArrayList<>();
        int next = seq - chunk.firstSeq();
        while (next < rows.size() && wanted.size() < config.batchMaxChanges()) {
            LoggedChange row = rows.get(next++);
            if (filter.all() || filter.matches(row.change().entityType())) {
                wanted.add(row);
            }
        }
        BatchAssembler.Assembled assembled = assembler.ahead(state, wanted,
                row -> Checksum.of(wanted.get(row).change()), chunk.lsn(), mode.epoch());
        aheadLsn = chunk.lsn();
        aheadNextSeq = rows.get(next - 1).seq() + 1;
        aheadProgressAt = System.nanoTime();
        state = assembled.next();
        if (state.open() != null && aheadStallCheck == null) {
            scheduleAheadStallCheck(config.aheadStallTimeout().toNanos());
        }
        metrics.partsAhead.increment(assembled.messages().size());
        assembled.messages().forEach(message -> pending.add(new Outgoing(message, null)));
        return true;
    }

    /** One check at a time; it looks at the stream as it is then, so one left from before a rewind does no harm. */
    private void scheduleAheadStallCheck(long delayNanos) {
        aheadStallCheck = channel.executor().schedule(() -> {
            aheadStallCheck = null;
            if (mode.streams()) {
                checkAheadStall();
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Parts went out ahead of capture and the batch waits for its next chunk or its end: while the client still has
     * parts to take (the stream is not waiting on capture) or capture moved within the timeout, look again later;
     * otherwise capture stopped mid-transaction, and the client's store transaction must not stay open for good.
     */
    private void checkAheadStall() {
        if (aheadLsn == null || state.open() == null) {
            return;
        }
        long timeout = config.aheadStallTimeout().toNanos();
        long waited = System.nanoTime() - aheadProgressAt;
        if (!pending.isEmpty() || waited < timeout) {
            scheduleAheadStallCheck(pending.isEmpty() ? timeout - waited : timeout);
            return;
        }
        listener.failed("capture wrote nothing more of transaction " + aheadLsn + " for "
                + config.aheadStallTimeout().toMillis() + " ms after parts of it were sent ahead", false, null);
    }

    private void startRead() {
        mode = mode.to(OutboxState.Activity.READING);
        int readEpoch = mode.epoch();
        AssemblyState from = state;
        Lsn upTo = from.open() != null ? from.open().lsn() : edge.streamLimit();
        pages.readPage(from, upTo, filter, assembler, readEpoch, channel.executor(),
                page -> pageRead(readEpoch, page), e -> readFailed(readEpoch, e));
    }

    /** Whether a read of {@code readEpoch} still matters: the same stream, still waiting for it. */
    private boolean awaits(int readEpoch) {
        return readEpoch == mode.epoch() && mode.is(OutboxState.Activity.READING);
    }

    private void pageRead(int readEpoch, LogPages.Page read) {
        if (!awaits(readEpoch)) {
            return;
        }
        mode = mode.to(OutboxState.Activity.READY);
        if (read.historyId() != null && history != null && !history.equals(read.historyId())) {
            // The log started a new history since this stream began: its positions do not continue the client's
            // (a standby hears of the new history from the log only; the hub's periodic check may come later).
            listener.historyChanged(read.historyId());
            return;
        }
        BatchAssembler.Assembled page = read.assembled();
        if (!read.retained()) {
            listener.failed("the change log was trimmed past the client's position " + state.readPos(), true, null);
            return;
        }
        state = page.next();
        if (!page.messages().isEmpty()) {
            metrics.batchesLog.increment();
        }
        page.messages().forEach(message -> pending.add(new Outgoing(message, null)));
        pump();
    }

    private void readFailed(int readEpoch, RuntimeException e) {
        if (!awaits(readEpoch)) {
            return;
        }
        mode = mode.to(OutboxState.Activity.READY);
        listener.failed("the change log could not be read", false, e);
    }

    private void write(Outgoing outgoing) {
        Changes message = outgoing.message();
        ByteBuf encoded = outgoing.encoded() != null ? outgoing.encoded() : encode(message);
        metrics.messages.increment();
        metrics.changes.increment(message.data().size());
        metrics.bytes.increment(encoded.readableBytes());
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
        return Utf8Messages.encode(channel.alloc(), codec, message);
    }

    /**
     * Sends an empty batch to a client whose position fell behind the log only because nothing it receives
     * happened, at most once per {@code emptyBatchInterval}, so quiet clients do not pin the history.
     */
    private void maybeSendEmptyBatch() {
        if (catchingUp && !mode.is(OutboxState.Activity.READING) && pending.isEmpty() && state.open() == null
                && state.readPos().equals(state.chainLsn()) && !state.readPos().isBefore(edge.tip())) {
            // The tip, not the stream limit: while the refresh markers are still being loaded up to the tip the
            // stream has not caught up, and its position-only batch must still go at once when it does.
            catchingUp = false;
        }
        if (!mode.is(OutboxState.Activity.READY) || !pending.isEmpty() || state.open() != null
                || !state.readPos().isAfter(state.chainLsn()) || windowFull() || !channel.isWritable()) {
            return;
        }
        long interval = config.emptyBatchInterval().toNanos();
        long waited = lastBatchAt == NEVER ? interval : System.nanoTime() - lastBatchAt;
        if (waited >= interval || catchingUp) {
            catchingUp = false;
            Changes empty = BatchAssembler.emptyBatch(state.chainLsn(), state.readPos(), mode.epoch());
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
        mode = mode.rewound(delayMillis > 0 ? OutboxState.Activity.PAUSED : OutboxState.Activity.READY);
        if (owedServedAt != null && position.isBefore(owedServedAt)) {
            owed.addAll(owedServed);
            owedServedAt = null;
        }
        releasePending();
        batchInProgress = null;
        aheadLsn = null;
        state = AssemblyState.at(position);
        window.rewind(position);
        lastBatchAt = NEVER;
        catchingUp = position.isBefore(edge.tip());
        if (delayMillis > 0) {
            int paused = mode.epoch();
            channel.executor().schedule(() -> {
                if (paused == mode.epoch() && mode.is(OutboxState.Activity.PAUSED)) {
                    mode = mode.to(OutboxState.Activity.READY);
                    pump();
                }
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
        mode = mode.to(OutboxState.Activity.READY);
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
        aheadLsn = null;
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
        aheadLsn = null;
        lastBatchAt = System.nanoTime();
        state = AssemblyState.at(position);
        listener.batchSent(position);
    }

    /** Ends a hold (or a hold not yet reached): the stream goes on. */
    void release() {
        holdRequested = false;
        if (mode.is(OutboxState.Activity.HOLDING)) {
            mode = mode.to(OutboxState.Activity.READY);
            pump();
        }
    }

    /** Parts of a snapshot batch went out: error acks naming it are not stale. */
    void snapshotPartSent(String batchId) {
        batchInProgress = batchId;
    }

    /** The snapshot could not be sent now: look again after {@code delayMillis}. */
    void retrySnapshot(long delayMillis) {
        int at = mode.epoch();
        channel.executor().schedule(() -> {
            if (at == mode.epoch() && mode.is(OutboxState.Activity.SNAPSHOTTING)) {
                mode = mode.to(OutboxState.Activity.READY);
                pump();
            }
        }, Math.max(1, delayMillis), TimeUnit.MILLISECONDS);
    }

    /** Stops streaming for good and releases what was assembled. */
    void stop() {
        mode = mode.to(OutboxState.Activity.STOPPED);
        releasePending();
        if (emptyBatchTimer != null) {
            emptyBatchTimer.cancel(false);
            emptyBatchTimer = null;
        }
        if (aheadStallCheck != null) {
            aheadStallCheck.cancel(false);
            aheadStallCheck = null;
        }
    }

    private void releasePending() {
        pending.forEach(Outgoing::release);
        pending.clear();
    }
}
