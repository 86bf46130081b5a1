package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of capture, from connecting to the source until it stops or fails: startup checks and the
 * history decision, then the replication stream read on the calling thread and the change-log writer
 * on its own. Whatever was in flight when a session ends is simply replayed by the next one, from the
 * change log's capture position.
 */
final class CaptureSession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CaptureSession.class);
    private static final Duration WRITER_STOP_TIMEOUT = Duration.ofSeconds(30);

    private final CaptureSettings settings;
    private final SourceSettings source;
    private final ChangeLog changeLog;
    private final ChangeFeed feed;
    private final CaptureMetrics metrics;
    private final CapturedTables tables;
    private final CaptureHealthTracker health;
    private final SchemaWatch watch;
    private final CaptureStartup.LeaseCheck lease;
    private volatile boolean stopped;
    private Connection connection;
    private Connection replicationConnection;
    private CaptureWriter writer;
    private Thread writerThread;

    CaptureSession(CaptureSettings settings, SourceSettings source, ChangeLog changeLog, ChangeFeed feed,
                   CaptureMetrics metrics, CapturedTables tables, CaptureHealthTracker health, SchemaWatch watch,
                   CaptureStartup.LeaseCheck lease) {
        this.lease = requireNonNull(lease, "lease is null");
        this.tables = requireNonNull(tables, "tables is null");
        this.health = requireNonNull(health, "health is null");
        this.watch = requireNonNull(watch, "watch is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.source = requireNonNull(source, "source is null");
        this.changeLog = requireNonNull(changeLog, "changeLog is null");
        this.feed = requireNonNull(feed, "feed is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    /**
     * Connects and prepares: checks, publication, history.
     *
     * @throws CaptureException when the source cannot be captured as configured
     */
    StartPoint prepare() {
        try {
            connection = source.connect();
            return new CaptureStartup(settings, changeLog, tables, watch, lease).prepare(connection, () -> {
                replicationConnection = source.connectReplication();
                return replicationConnection;
            });
        } catch (SQLException e) {
            throw new CaptureException(CaptureError.SOURCE, "cannot prepare capture from " + source.redactedUrl()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Streams from {@code start} until {@link #stop()} is called or something fails.
     *
     * @param onStreaming told once the stream is open
     */
    void stream(StartPoint start, Consumer<StartPoint> onStreaming) {
        PieceQueue queue = new PieceQueue(settings.queueCapacity());
        writer = new CaptureWriter(queue, changeLog, feed, metrics, settings, start.position(), health);
        writerThread = new Thread(writer, "tidemark-capture-writer");
        PrimaryKeys keys = PrimaryKeys.from(connection);
        ChangeFactory factory = new ChangeFactory(new TypeCatalog(connection), keys);
        try (PGReplicationStream stream = openStream(start)) {
            writerThread.start();
            log.info("capture streaming slot {} from {} into history {}", settings.slotName(), start.position(),
                    start.historyId());
            onStreaming.accept(start);
            new ReplicationReader(stream, factory, queue, writer, metrics, settings, start.position(), () -> stopped,
                    tables, health, keys).run();
        } catch (SQLException e) {
            if (!stopped) {
                throw new CaptureException(CaptureError.SOURCE, "replication from slot " + settings.slotName()
                        + " failed: " + e.getMessage(), e);
            }
        } catch (ReplicationReader.SessionStopped e) {
            log.debug("capture session stopped while waiting for the writer");
        }
    }

    private PGReplicationStream openStream(StartPoint start) throws SQLException {
        try {
            return replicationConnection.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().logical()
                    .withSlotName(settings.slotName())
                    .withStartPosition(LogSequenceNumber.valueOf(start.position().value()))
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", settings.publicationName())
                    .withSlotOption("messages", "true")
                    .withStatusInterval((int) settings.statusInterval().toMillis(), TimeUnit.MILLISECONDS)
                    .start();
        } catch (SQLException e) {
            if ("55006".equals(e.getSQLState())) {
                throw new CaptureException(CaptureError.SLOT, "replication slot " + settings.slotName()
                        + " is in use by another connection (another capture on the same slot, or one that is"
                        + " still going away): " + e.getMessage(), e);
            }
            throw e;
        }
    }

    void stop() {
        stopped = true;
        if (writer != null) {
            writer.stop();
        }
    }

    @Override
    public void close() {
        stop();
        if (writerThread != null && writerThread.isAlive()) {
            try {
                writerThread.join(WRITER_STOP_TIMEOUT.toMillis());
                if (writerThread.isAlive()) {
                    log.warn("the change-log writer did not stop within {}", WRITER_STOP_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly(replicationConnection);
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("closing a capture connection failed", e);
        }
    }
}
