package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.server.feed.CaptureHealth;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.HistoryState;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/** What every session of one hub shares. */
record HubContext(HubConfig config, ChangeLog changeLog, LiveTail tail, Executor readers, MessageCodec codec,
                  HubMetrics metrics, ProgressWriter progress, SessionRegistry registry, BatchAssembler assembler,
                  Clock clock, ResyncGate resync, RefreshIndex refreshes, CaptureHealth health) {

    /**
     * How far sessions may stream: the tip, as far as the refresh markers up to it are known, so no session
     * passes a marker it has not seen.
     */
    Lsn streamLimit() {
        Lsn tip = tail.tip();
        Lsn known = refreshes.loadedUpTo();
        return known.isBefore(tip) ? known : tip;
    }

    /**
     * Reads the change log's state on a reader thread and hands it to {@code then} on {@code channel}'s
     * thread; a failed read arrives as a {@link RuntimeException} in {@code failed}.
     */
    void readState(ClientChannel channel, Consumer<Optional<HistoryState>> then, Consumer<RuntimeException> failed) {
        try {
            readers.execute(() -> {
                Optional<HistoryState> state;
                try {
                    state = changeLog.state();
                } catch (RuntimeException e) {
                    channel.executor().execute(() -> failed.accept(e));
                    return;
                }
                state.ifPresent(s -> tail.advanceTip(s.capturePosition()));
                channel.executor().execute(() -> then.accept(state));
            });
        } catch (RuntimeException e) {
            failed.accept(e);
        }
    }
}
