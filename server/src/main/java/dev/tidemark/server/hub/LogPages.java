package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.HistoryState;
import dev.tidemark.server.spi.LoggedChange;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Reads the change log on the hub's reader threads and hands the result back to a session's thread: pages
 * of a stream, the log's state, anything a session must not block its event loop for.
 */
final class LogPages {

    /**
     * One page read for a stream.
     *
     * @param retained whether the stream's position is still retained in the log
     * @param historyId the log's history when the page was read (read after the rows, so rows of a newer history
     *     always come with its id), or {@code null} when the log has none
     */
    record Page(BatchAssembler.Assembled assembled, boolean retained, String historyId) {}

    private final ChangeLog changeLog;
    private final Executor readers;
    private final LiveTail tail;
    private final HubMetrics metrics;

    LogPages(ChangeLog changeLog, Executor readers, LiveTail tail, HubMetrics metrics) {
        this.changeLog = changeLog;
        this.readers = readers;
        this.tail = tail;
        this.metrics = metrics;
    }

    /**
     * Reads the next page of a stream standing at {@code from} (up to {@code upTo}) and assembles it; whether
     * {@code from} is still retained is read with it. {@code then} or {@code failed} runs on {@code loop}.
     */
    void readPage(AssemblyState from, Lsn upTo, EntityFilter filter, BatchAssembler assembler, int epoch,
                  Executor loop, Consumer<Page> then, Consumer<RuntimeException> failed) {
        onReader(() -> {
            long started = System.nanoTime();
            List<LoggedChange> rows = changeLog.read(from.cursor(), upTo, filter.logTypes(), assembler.readLimit());
            Optional<HistoryState> log = changeLog.state();
            metrics.logRead(System.nanoTime() - started);
            boolean retained = log.isPresent() && retains(from, log.get().retainedFrom());
            return new Page(assembler.assemble(from, rows, upTo, rows.size() < assembler.readLimit(), epoch), retained,
                    log.map(HistoryState::historyId).orElse(null));
        }, loop, then, failed);
    }

    /**
     * Whether a stream standing at {@code from} can go on in a log trimmed through {@code retainedFrom} (every
     * transaction at or before it deleted). Between transactions it can from {@code retainedFrom} on; inside one
     * (a multi-part batch under way) only when that transaction is after {@code retainedFrom}: a trim through it
     * deleted its remaining parts, and the batch must not end with what was sent so far.
     */
    static boolean retains(AssemblyState from, Lsn retainedFrom) {
        boolean insideTransaction = from.open() != null || from.cursor().seq() != Integer.MAX_VALUE;
        Lsn at = from.open() != null ? from.open().lsn() : from.cursor().lsn();
        return insideTransaction ? at.isAfter(retainedFrom) : !at.isBefore(retainedFrom);
    }

    /** Reads the change log's state (moving the tail's tip to it); {@code then} or {@code failed} runs on {@code loop}. */
    void readState(Executor loop, Consumer<Optional<HistoryState>> then, Consumer<RuntimeException> failed) {
        onReader(() -> {
            Optional<HistoryState> state = changeLog.state();
            state.ifPresent(s -> tail.advanceTip(s.capturePosition()));
            return state;
        }, loop, then, failed);
    }

    /** Runs {@code read} against the change log on a reader thread; its result or failure arrives on {@code loop}. */
    <T> void read(java.util.function.Function<ChangeLog, T> read, Executor loop, Consumer<T> then,
                  Consumer<RuntimeException> failed) {
        onReader(() -> read.apply(changeLog), loop, then, failed);
    }

    private <T> void onReader(java.util.function.Supplier<T> read, Executor loop, Consumer<T> then,
                              Consumer<RuntimeException> failed) {
        try {
            readers.execute(() -> {
                T result;
                try {
                    result = read.get();
                } catch (RuntimeException e) {
                    loop.execute(() -> failed.accept(e));
                    return;
                }
                loop.execute(() -> then.accept(result));
            });
        } catch (RuntimeException e) {
            failed.accept(e);
        }
    }
}
