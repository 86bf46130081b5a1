package dev.tidemark.server.cluster;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.CapturedRange;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live feed of a node that does not capture (a standby: another node leads capture into the shared change
 * log). Every append that moves the change log's capture position notifies {@value #CHANNEL} with the new
 * position on commit; this follower LISTENs on a dedicated connection and publishes each new position on the
 * node's {@link ChangeFeed} as a range without changes, so the hub's sessions read it from the change log. A
 * slow poll of the log's capture position (every {@code pollInterval}, and at once after a reconnect) is the
 * safety net for a notification missed while the connection was down.
 *
 * <p>While this node captures, capture publishes its ranges itself and the follower publishes nothing (it only
 * keeps track of the position).
 */
public final class ChangeLogFollower implements AutoCloseable {

    /** The channel the change log's appends notify, with the new capture position as payload. */
    public static final String CHANNEL = "tidemark_appended";
    /** How often the change log's capture position is read when no notification came. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(ChangeLogFollower.class);

    private final ChangeLog changeLog;
    private final ChangeFeed feed;
    private final BooleanSupplier capturing;
    private final ChannelListener listener;
    /** The last position published; touched only on the listener's thread. */
    private Lsn published = Lsn.ZERO;

    /**
     * @param database the change log's PostgreSQL database, where the appends notify
     * @param capturing true while this node captures (its capture feeds the hub)
     * @param pollInterval how often the capture position is read without a notification
     */
    public ChangeLogFollower(SourceSettings database, ChangeLog changeLog, ChangeFeed feed, BooleanSupplier capturing,
                             Duration pollInterval) {
        this.changeLog = requireNonNull(changeLog, "changeLog is null");
        this.feed = requireNonNull(feed, "feed is null");
        this.capturing = requireNonNull(capturing, "capturing is null");
        this.listener = new ChannelListener(database, CHANNEL, pollInterval, "the change log's appends",
                "clients of this node receive new changes when it works again", new ChannelListener.Handler() {
                    @Override
                    public void heard(List<String> payloads) {
                        Lsn heard = null;
                        for (String payload : payloads) {
                            Lsn position = parse(payload);
                            if (position != null && (heard == null || position.isAfter(heard))) {
                                heard = position;
                            }
                        }
                        if (heard != null) {
                            advance(heard);
                        }
                    }

                    @Override
                    public void check() {
                        changeLog.state().ifPresent(history -> advance(history.capturePosition()));
                    }
                });
    }

    /** Starts following in the background. */
    public void start() {
        listener.start("tidemark-log-follower");
    }

    /** Publishes the move to {@code position}, unless this node captures (then capture publishes). */
    private void advance(Lsn position) {
        if (!position.isAfter(published)) {
            if (position.isBefore(published) && !capturing.getAsBoolean()) {
                // A new history started (the hub's history check resets its clients); follow it from here.
                published = position;
            }
            return;
        }
        Lsn from = published;
        published = position;
        if (!capturing.getAsBoolean()) {
            feed.publish(new CapturedRange(from, position, List.of(), false));
        }
    }

    private static Lsn parse(String payload) {
        try {
            return payload == null || payload.isEmpty() ? null : Lsn.parse(payload);
        } catch (RuntimeException e) {
            log.debug("ignoring notification {} on {}", payload, CHANNEL);
            return null;
        }
    }

    /** Stops following and waits for the follower's thread. */
    @Override
    public void close() {
        listener.close();
    }
}
