package dev.tidemark.server.cluster;

import static java.util.Objects.requireNonNull;

import dev.tidemark.server.pg.SourceSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel of the change log's database, followed on a dedicated connection and thread: each batch of
 * notifications goes to {@link Handler#heard}, and {@link Handler#check} runs at once after every (re)connect and
 * then every {@code interval} — the safety net for notifications missed while the connection was down. A failure
 * closes the connection, logs one warning (and one line when it works again) and retries every {@code interval}.
 */
final class ChannelListener implements AutoCloseable {

    /** What the listener does with what it hears. Called on the listener's thread only. */
    interface Handler {

        /** The payloads of the notifications that arrived together, in order. */
        void heard(List<String> payloads) throws SQLException;

        /** The periodic safety net: read the state the notifications announce. */
        void check() throws SQLException;
    }

    private static final Logger log = LoggerFactory.getLogger(ChannelListener.class);

    private final SourceSettings database;
    private final String channel;
    private final Duration interval;
    private final String following;
    private final String meanwhile;
    private final Handler handler;
    private final CountDownLatch closed = new CountDownLatch(1);
    private Thread thread;
    private boolean warned;

    /**
     * @param channel the channel to LISTEN on (an SQL identifier)
     * @param interval how often {@link Handler#check} runs without a notification, and the retry pace
     * @param following what is followed, for the logs ("the change log's appends")
     * @param meanwhile what happens while following fails, for the warning
     */
    ChannelListener(SourceSettings database, String channel, Duration interval, String following, String meanwhile,
                    Handler handler) {
        this.database = requireNonNull(database, "database is null");
        this.channel = requireNonNull(channel, "channel is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.following = requireNonNull(following, "following is null");
        this.meanwhile = requireNonNull(meanwhile, "meanwhile is null");
        this.handler = requireNonNull(handler, "handler is null");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the interval must be positive (got " + interval + ")");
        }
    }

    /** Starts following on a daemon thread named {@code threadName}. */
    synchronized void start(String threadName) {
        if (thread != null) {
            throw new IllegalStateException("already following " + following);
        }
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        Connection listening = null;
        long nextCheck = System.nanoTime();
        while (closed.getCount() > 0) {
            try {
                if (listening == null) {
                    listening = database.connect();
                    try (Statement statement = listening.createStatement()) {
                        statement.execute("LISTEN " + channel);
                    }
                    nextCheck = System.nanoTime();
                    if (warned) {
                        log.info("following {} again", following);
                        warned = false;
                    }
                }
                long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextCheck - System.nanoTime()));
                PGNotification[] notifications = listening.unwrap(PGConnection.class)
                        .getNotifications((int) Math.min(waitMillis, interval.toMillis()));
                if (notifications != null && notifications.length > 0) {
                    List<String> payloads = new ArrayList<>(notifications.length);
                    for (PGNotification notification : notifications) {
                        payloads.add(notification.getParameter());
                    }
                    handler.heard(payloads);
                }
                if (System.nanoTime() - nextCheck >= 0) {
                    handler.check();
                    nextCheck = System.nanoTime() + interval.toNanos();
                }
            } catch (SQLException | RuntimeException e) {
                if (closed.getCount() == 0) {
                    break;
                }
                if (!warned) {
                    log.warn("following {} failed (retrying every {}; {}): {}", following, interval, meanwhile,
                            e.getMessage());
                    warned = true;
                }
                closeQuietly(listening);
                listening = null;
                awaitClosed(interval);
            }
        }
        closeQuietly(listening);
    }

    private void awaitClosed(Duration timeout) {
        try {
            closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed.countDown();
        }
    }

    private void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("closing the connection that follows {} failed", following, e);
        }
    }

    /** Stops following and waits (up to 10 s) for the thread. */
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
