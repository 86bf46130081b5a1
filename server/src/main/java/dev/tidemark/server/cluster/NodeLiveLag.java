package dev.tidemark.server.cluster;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.CaptureListener;
import dev.tidemark.server.feed.CapturedRange;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.HistoryState;
import java.util.Optional;

/**
 * The live lag of this node: how many WAL bytes the change log's capture position is ahead of the last position
 * this node's live feed delivered to its hub (capture's ranges on the leader, the change log follower's on a
 * standby). Near 0 on a healthy node; it grows on a standby whose follower lost its notifications, and on any
 * node whose feed stalls. One read of the change log's state per measurement, so it is measured on the node's
 * heartbeat, not on every metrics scrape ({@link #lastBytes()} is the last measurement).
 */
public final class NodeLiveLag implements CaptureListener, AutoCloseable {

    private final ChangeLog changeLog;
    private final ChangeFeed feed;
    private volatile Lsn delivered = Lsn.ZERO;
    private volatile long lastBytes;

    public NodeLiveLag(ChangeLog changeLog, ChangeFeed feed) {
        this.changeLog = requireNonNull(changeLog, "changeLog is null");
        this.feed = requireNonNull(feed, "feed is null");
    }

    /** Starts listening to the feed, counting from the change log's capture position now. */
    public void start() {
        feed.subscribe(this);
        try {
            changeLog.state().ifPresent(state -> delivered = state.capturePosition());
        } catch (RuntimeException e) {
            // not readable yet: the first delivered range sets the position
        }
    }

    @Override
    public void onCaptured(CapturedRange range) {
        delivered = range.to();
    }

    /** Measures the lag now (reads the change log's capture position); 0 when the log has no history. */
    public long measureBytes() {
        Optional<HistoryState> state = changeLog.state();
        Lsn captured = state.map(HistoryState::capturePosition).orElse(Lsn.ZERO);
        Lsn fed = delivered;
        long lag = captured.isAfter(fed) && !fed.equals(Lsn.ZERO) ? captured.value() - fed.value() : 0;
        lastBytes = Math.max(0, lag);
        return lastBytes;
    }

    /** The last measurement, in bytes. */
    public long lastBytes() {
        return lastBytes;
    }

    @Override
    public void close() {
        feed.unsubscribe(this);
    }
}
