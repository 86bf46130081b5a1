package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.pg.SourceSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every heartbeat interval, emits a transactional logical decoding message
 * ({@code pg_logical_emit_message(true, 'tidemark.heartbeat', now)}) so that an idle database, or one
 * whose changes are all outside the publication, still sends capture a transaction whose position it
 * writes and confirms: the slot moves and PostgreSQL can recycle WAL. It also measures the slot's lag
 * in bytes. Failures are logged and retried at the next beat.
 */
final class Heartbeat implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);
    private static final long WAL_SAMPLE_MILLIS = 1_000;

    private final SourceSettings source;
    private final CaptureSettings settings;
    private final CaptureMetrics metrics;
    private final CaptureHealthTracker health;
    private final SchemaWatch watch;
    private final ScheduledExecutorService scheduler;
    private Connection connection;
    private boolean warned;

    Heartbeat(SourceSettings source, CaptureSettings settings, CaptureMetrics metrics, CaptureHealthTracker health,
              SchemaWatch watch) {
        this.health = requireNonNull(health, "health is null");
        this.watch = requireNonNull(watch, "watch is null");
        this.source = requireNonNull(source, "source is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tidemark-capture-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
    }

    void start() {
        long period = settings.heartbeatInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::sampleWal, WAL_SAMPLE_MILLIS, WAL_SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Emits one heartbeat and measures the lag now; also run by the schedule. */
    synchronized void beat() {
        try {
            if (connection == null || connection.isClosed()) {
                connection = source.connect();
            }
            Instant now = Instant.now();
            try (PreparedStatement emit = connection.prepareStatement(
                    "SELECT pg_logical_emit_message(true, ?, ?)")) {
                emit.setString(1, TransactionAssembler.HEARTBEAT_PREFIX);
                emit.setString(2, now.toString());
                emit.execute();
            }
            metrics.heartbeatEmitted(now);
            try (PreparedStatement lag = connection.prepareStatement("SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint"
                    + " FROM pg_replication_slots WHERE slot_name = ?")) {
                lag.setString(1, settings.slotName());
                try (ResultSet row = lag.executeQuery()) {
                    if (row.next()) {
                        metrics.slotLag(row.getLong(1));
                    }
                }
            }
            metrics.sampleRates();
            watch.check(connection);
            warned = false;
        } catch (SQLException | RuntimeException e) {
            if (!warned) {
                log.warn("capture heartbeat failed (retrying every {}): {}", settings.heartbeatInterval(), e.getMessage());
                warned = true;
            }
            closeConnection();
        }
    }

    /** Samples the source's WAL position, so that a capture making no progress shows as stalled. */
    synchronized void sampleWal() {
        try {
            if (connection == null || connection.isClosed()) {
                connection = source.connect();
            }
            try (PreparedStatement wal = connection.prepareStatement("SELECT pg_current_wal_lsn()::text");
                    ResultSet row = wal.executeQuery()) {
                row.next();
                health.sourceWal(Lsn.parse(row.getString(1)));
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("sampling the source's WAL position failed: {}", e.getMessage());
            closeConnection();
        }
    }

    private synchronized void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the heartbeat connection failed", e);
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }
}
