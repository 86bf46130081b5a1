package dev.tidemark.server.hub;

import dev.tidemark.protocol.AckStatus;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SyncAck;
import dev.tidemark.server.spi.ClientProgress;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's acknowledgements: checks each {@code sync_ack} against what was sent, moves the window on a
 * success, resends after an error with a backoff (giving up after the retry limit), and records the client's
 * progress. Lives as long as the connection; runs on its thread.
 */
final class AckHandler {

    private static final Logger log = LoggerFactory.getLogger(AckHandler.class);

    private final HubConfig config;
    private final HubMetrics metrics;
    private final Clock clock;
    private final ProgressWriter progress;
    private int errorsInARow;
    private Instant lastAckAt;
    private String lastError;

    AckHandler(HubConfig config, HubMetrics metrics, Clock clock, ProgressWriter progress) {
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.progress = progress;
    }

    /** A {@code sync_ack} while streaming from {@code outbox}. */
    void onAck(SyncAck ack, ClientSession session, Outbox outbox) {
        String clientId = session.clientId();
        if (!ack.clientId().equals(clientId)) {
            reject(session, ErrorCode.FORBIDDEN, "sync_ack for client '" + ack.clientId() + "' on the connection of"
                    + " client '" + clientId + "': ignored, nothing changed");
            return;
        }
        AckWindow window = outbox.window();
        AckWindow.Check check = window.check(ack.lsn());
        if (check == AckWindow.Check.BEYOND_SENT || check == AckWindow.Check.NOT_A_BATCH_END
                || (check == AckWindow.Check.NOT_NEWER && ack.lsn().isBefore(window.acked())
                    && ack.status() == AckStatus.ERROR)) {
            reject(session, ErrorCode.ACK_OUT_OF_RANGE, "sync_ack at " + ack.lsn() + " does not match what was sent: "
                    + window.describe() + "; nothing changed");
            return;
        }
        Instant now = clock.instant();
        if (ack.status() == AckStatus.SUCCESS) {
            metrics.acksSuccess.increment();
            if (check == AckWindow.Check.BATCH_END) {
                window.acknowledge(ack.lsn());
                errorsInARow = 0;
                lastAckAt = now;
                session.recordProgress(true);
                outbox.pump();
            }
            return;
        }
        onErrorAck(ack, check, now, session, outbox);
    }

    private void onErrorAck(SyncAck ack, AckWindow.Check check, Instant now, ClientSession session, Outbox outbox) {
        AckWindow window = outbox.window();
        String clientId = session.clientId();
        boolean stale = ack.batchId() != null && !window.holds(ack.batchId())
                && !ack.batchId().equals(outbox.batchInProgress());
        if (stale) {
            log.debug("client '{}' rejected batch {} sent before its last rewind; ignored", clientId, ack.batchId());
            return;
        }
        metrics.acksError.increment();
        if (check == AckWindow.Check.BATCH_END) {
            window.acknowledge(ack.lsn());
        }
        errorsInARow++;
        lastAckAt = now;
        lastError = ack.error() == null ? "error ack without a message" : ack.error();
        session.recordProgress(true);
        if (errorsInARow > config.resendRetryLimit()) {
            log.warn("client '{}' reported {} errors in a row at {} (last: {}); giving up on this connection",
                    clientId, errorsInARow, ack.lsn(), lastError);
            session.closeWith(ErrorCode.STORE_FAILURE, "the client failed to apply the batch after " + ack.lsn() + " "
                    + errorsInARow + " times in a row (last: " + lastError + "): fix the store, then reconnect",
                    CloseCodes.NORMAL);
            return;
        }
        long delay = Math.min(config.resendBackoffMax().toMillis(),
                config.resendBackoff().toMillis() << Math.min(errorsInARow - 1, 30));
        log.warn("client '{}' failed to apply after {} (attempt {} of {}): {}; resending from {} in {} ms",
                clientId, ack.lsn(), errorsInARow, config.resendRetryLimit(), lastError, ack.lsn(), delay);
        metrics.resends.increment();
        outbox.rewind(ack.lsn(), delay);
    }

    private void reject(ClientSession session, ErrorCode code, String message) {
        metrics.acksRejected.increment();
        log.warn("client '{}' from {}: {}", session.clientId(), session.remoteAddress(), message);
        session.writer().error(code, message);
    }

    /** Records the client's progress: acknowledged up to {@code acked}, connected or not. */
    void record(String clientId, Lsn acked, boolean connected) {
        progress.record(new ClientProgress(clientId, acked, lastAckAt, lastError, connected, clock.instant()));
    }
}
