package dev.tidemark.server.cluster;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.CapturedRange;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.HistoryState;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
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

    private final SourceSettings database;
    private final ChangeLog changeLog;
    private final ChangeFeed feed;
    private final BooleanSupplier capturing;
    private final Duration pollInterval;
    private final CountDownLatch closed = new CountDownLatch(1);
    private Thread thread;
    private Lsn published = Lsn.ZERO;
    private boolean warned;

    /**
     * @param database the change log's PostgreSQL database, where the appends notify
     * @param capturing true while this node captures (its capture feeds the hub)
     * @param pollInterval how often the capture position is read without a notification
     */
    public ChangeLogFollower(SourceSettings database, ChangeLog changeLog, ChangeFeed feed, BooleanSupplier capturing,
                             Duration pollInterval) {
        this.database = requireNonNull(database, "database is null");
        this.changeLog = requireNonNull(changeLog, "changeLog is null");
        this.feed = requireNonNull(feed, "feed is null");
        this.capturing = requireNonNull(capturing, "capturing is null");
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive (got " + pollInterval + ")");
        }
    }

    /** Starts following in the background. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("the follower was already started");
        }
        thread = new Thread(this::run, "tidemark-log-follower");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        Connection listening = null;
        long nextPoll = System.nanoTime();
        while (closed.getCount() > 0) {
            try {
                if (listening == null) {
                    listening = database.connect();
                    try (Statement statement = listening.createStatement()) {
                        statement.execute("LISTEN " + CHANNEL);
                    }
                    nextPoll = System.nanoTime();
                    if (warned) {
                        log.info("following the change log's appends again");
                        warned = false;
                    }
                }
                long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextPoll - System.nanoTime()));
                PGNotification[] notifications = listening.unwrap(PGConnection.class)
                        .getNotifications((int) Math.min(waitMillis, pollInterval.toMillis()));
                Lsn heard = null;
                if (notifications != null) {
                    for (PGNotification notification : notifications) {
                        Lsn position = parse(notification.getParameter());
                        if (position != null && (heard == null || position.isAfter(heard))) {
                            heard = position;
                        }
                    }
                }
                if (heard != null) {
                    advance(heard);
                }
                if (System.nanoTime() - nextPoll >= 0) {
                    Optional<HistoryState> state = changeLog.state();
                    state.ifPresent(history -> advance(history.capturePosition()));
                    nextPoll = System.nanoTime() + pollInterval.toNanos();
                }
            } catch (SQLException | RuntimeException e) {
                if (closed.getCount() == 0) {
                    break;
                }
                if (!warned) {
                    log.warn("following the change log's appends failed (retrying every {}; clients of this node"
                            + " receive new changes when it works again): {}", pollInterval, e.getMessage());
                    warned = true;
                }
                closeQuietly(listening);
                listening = null;
                awaitClosed(pollInterval);
            }
        }
        closeQuietly(listening);
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

    private void awaitClosed(Duration timeout) {
        try {
            closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed.countDown();
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("closing the follower's connection failed", e);
        }
    }

    /** Stops following and waits for the follower's thread. */
    @Override
    public void close() {
        closed.countDown();
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running != null) {
            try {
                running.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
