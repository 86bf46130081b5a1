package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The replication side of a capture session, on the session's thread: reads the stream, decodes it
 * into pieces for the writer, and confirms to PostgreSQL — with {@code setFlushedLSN} and a forced
 * status update — every position the writer made durable, and nothing else. PgJDBC answers the
 * server's keepalives with that same confirmed position.
 *
 * <p>{@code readPending()} waits at most about a millisecond for data (PgJDBC polls the socket with
 * a 1 ms timeout on replication connections), so confirmations go out promptly without a sleep.
 */
final class ReplicationReader {

    private static final long OFFER_MILLIS = 50;

    private final PGReplicationStream stream;
    private final PgOutputDecoder decoder = new PgOutputDecoder();
    private final SchemaTracker schema;
    private final PieceQueue queue;
    private final CaptureWriter writer;
    private final CaptureMetrics metrics;
    private final BooleanSupplier stopped;
    private final long statusIntervalNanos;
    private Lsn confirmed;
    private long lastStatusNanos;

    ReplicationReader(PGReplicationStream stream, ChangeFactory factory, PieceQueue queue,
                      CaptureWriter writer, CaptureMetrics metrics, CaptureSettings settings, Lsn startPosition,
                      BooleanSupplier stopped, CapturedTables tables, CaptureHealthTracker health, PrimaryKeys keys) {
        this.stream = requireNonNull(stream, "stream is null");
        this.queue = requireNonNull(queue, "queue is null");
        this.writer = requireNonNull(writer, "writer is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.stopped = requireNonNull(stopped, "stopped is null");
        this.statusIntervalNanos = settings.statusInterval().toNanos();
        // Confirm the start position at once: it is durable, and the slot may still be behind it.
        this.lastStatusNanos = System.nanoTime() - statusIntervalNanos;
        this.confirmed = requireNonNull(startPosition, "startPosition is null");
        TransactionAssembler assembler = new TransactionAssembler(factory, this::handAttached,
                settings.chunkChanges(), settings.chunkBytes());
        this.schema = new SchemaTracker(assembler, tables, health, keys);
    }

    /** Streams until {@code stopped} says so; throws on any failure of the stream or the writer. */
    void run() throws SQLException {
        while (!stopped.getAsBoolean()) {
            confirmDurable();
            ByteBuffer message = stream.readPending();
            if (message != null) {
                decoder.decode(message, schema);
            }
        }
    }

    private void handAttached(CapturePiece piece) {
        hand(schema.attach(piece));
    }

    /** Hands a piece to the writer, waiting while its queue is full, confirming all the while. */
    private void hand(CapturePiece piece) {
        try {
            while (!queue.offer(piece, OFFER_MILLIS, TimeUnit.MILLISECONDS)) {
                if (stopped.getAsBoolean()) {
                    throw new SessionStopped();
                }
                confirmDurable();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionStopped();
        } catch (SQLException e) {
            throw new CaptureException(CaptureError.SOURCE, "replication connection failed: " + e.getMessage(), e);
        }
    }

    private void confirmDurable() throws SQLException {
        Throwable failure = writer.failure().orElse(null);
        if (failure != null) {
            throw new CaptureException(CaptureError.CHANGE_LOG, "the change-log writer failed: " + failure.getMessage(),
                    failure);
        }
        Lsn durable = writer.durablePosition();
        long now = System.nanoTime();
        if (durable.isAfter(confirmed) || now - lastStatusNanos >= statusIntervalNanos) {
            LogSequenceNumber lsn = LogSequenceNumber.valueOf(durable.value());
            stream.setFlushedLSN(lsn);
            stream.setAppliedLSN(lsn);
            stream.forceUpdateStatus();
            lastStatusNanos = now;
            if (durable.isAfter(confirmed)) {
                confirmed = durable;
                metrics.confirmed(durable);
            }
        }
    }

    /** Thrown through the decoder when the session stops while waiting for the writer. */
    static final class SessionStopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SessionStopped() {
            super("capture session stopped", null, false, false);
        }
    }
}
