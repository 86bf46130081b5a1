package dev.tidemark.server.cluster;

import static java.util.Objects.requireNonNull;

import dev.tidemark.server.pg.SourceSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's row in {@code tidemark.node}: written when the node starts, again on every heartbeat (a scheduled
 * task every {@code interval}, with what {@code report} says then: leader or not, clients, live lag), deleted when
 * the node stops cleanly. Each heartbeat also prunes the rows of nodes gone for longer than {@code pruneAfter}.
 * The registry has its own connection to the change log's database, reopened after a failure; a failed heartbeat is
 * logged and retried on the next one, and never stops the node. Against a change log without the table (not a
 * PostgreSQL change log) it records nothing.
 */
public final class NodeRegistry implements AutoCloseable {

    /** How often a node writes its heartbeat by default. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(3);
    /** How long the row of a gone node is kept by default. */
    public static final Duration DEFAULT_PRUNE_AFTER = Duration.ofHours(1);

    private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);

    /**
     * How often a node writes its heartbeat, and how long the rows of gone nodes are kept.
     *
     * @param interval the heartbeat interval
     * @param pruneAfter how long after its last heartbeat a gone node's row is removed
     */
    public record Timing(Duration interval, Duration pruneAfter) {

        /** Every 3 s; gone rows kept for an hour. */
        public static final Timing DEFAULT = new Timing(DEFAULT_INTERVAL, DEFAULT_PRUNE_AFTER);

        public Timing {
            requireNonNull(interval, "interval is null");
            requireNonNull(pruneAfter, "pruneAfter is null");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the node heartbeat interval must be positive (got " + interval + ")");
            }
            if (pruneAfter.compareTo(interval.multipliedBy(NodeStatus.GONE_AFTER_INTERVALS)) <= 0) {
                throw new IllegalArgumentException("pruneAfter (" + pruneAfter + ") must be longer than "
                        + NodeStatus.GONE_AFTER_INTERVALS + " heartbeat intervals (" + interval + ")");
            }
        }
    }

    private final SourceSettings database;
    private final NodeIdentity node;
    private final Supplier<String> url;
    private final Duration interval;
    private final Duration pruneAfter;
    private final Supplier<NodeReport> report;
    private final ScheduledExecutorService timer;
    private Connection connection;
    private boolean warned;
    private volatile boolean recording = true;
    private boolean started;

    /**
     * @param database the change log's PostgreSQL database
     * @param url where clients reach this node (read at each heartbeat)
     * @param timing how often the heartbeat is written, and how long the rows of gone nodes are kept
     * @param report what this node says of itself at each heartbeat
     */
    public NodeRegistry(SourceSettings database, NodeIdentity node, Supplier<String> url, Timing timing,
                        Supplier<NodeReport> report) {
        this.database = requireNonNull(database, "database is null");
        this.node = requireNonNull(node, "node is null");
        this.url = requireNonNull(url, "url is null");
        requireNonNull(timing, "timing is null");
        this.interval = timing.interval();
        this.pruneAfter = timing.pruneAfter();
        this.report = requireNonNull(report, "report is null");
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tidemark-node-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Writes the node's row now, then every interval. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("the node registry was already started");
        }
        started = true;
        timer.scheduleAtFixedRate(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the change log's database records nodes (false once a heartbeat found no {@code tidemark.node}). */
    public boolean recording() {
        return recording;
    }

    private void beat() {
        if (!recording) {
            return;
        }
        try {
            NodeReport now = report.get();
            Connection open = connection();
            if (open == null) {
                return;
            }
            NodeTable.heartbeat(open, node, url.get(), interval, now);
            int pruned = NodeTable.prune(open, pruneAfter);
            if (pruned > 0) {
                log.info("removed {} node(s) gone for more than {} from tidemark.node", pruned, pruneAfter);
            }
            if (warned) {
                log.info("node {} records its heartbeat again", node);
                warned = false;
            }
        } catch (SQLException | RuntimeException e) {
            if (!warned) {
                log.warn("node {} could not record its heartbeat (retrying every {}; tidemark status shows the node as"
                        + " gone after {} missed heartbeats): {}", node, interval, NodeStatus.GONE_AFTER_INTERVALS,
                        e.getMessage());
                warned = true;
            }
            closeConnection();
        }
    }

    /** The open connection, opened when needed; null (and recording off) when the database has no node table. */
    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection opened = database.connect();
            try {
                opened.setAutoCommit(true);
                // A half-open connection must not hold the heartbeat thread for TCP's own timeout (minutes).
                opened.setNetworkTimeout(Runnable::run, (int) Math.max(5_000, 2 * interval.toMillis()));
                if (!NodeTable.exists(opened)) {
                    log.info("the change log's database has no tidemark.node table: node {} is not recorded"
                            + " (tidemark status lists nodes of a PostgreSQL change log only)", node);
                    recording = false;
                    opened.close();
                    return null;
                }
            } catch (SQLException | RuntimeException e) {
                opened.close();
                throw e;
            }
            connection = opened;
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the node registry's connection failed", e);
            }
            connection = null;
        }
    }

    /** Stops the heartbeat and removes the node's row. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("the node heartbeat did not stop within 10 s; node {} may be listed until it is gone", node);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (recording) {
                Connection open = connection();
                if (open != null) {
                    NodeTable.remove(open, node);
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("node {} could not remove its row from tidemark.node (it is shown as gone after {} missed"
                    + " heartbeats): {}", node, NodeStatus.GONE_AFTER_INTERVALS, e.getMessage());
        } finally {
            closeConnection();
        }
    }
}
