package dev.tidemark.server.hub;

import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.recovery.Verdict;
import dev.tidemark.server.spi.HistoryState;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code sync_verify}: checks the client id and the rate limit (asked off the session's thread, one
 * request of a session at a time), reads the log's state (and checksum) on a reader thread, then answers with
 * {@link VerifyResponder}'s verdict, or starts a resync when it requires one. Shared by every session of one hub;
 * each call runs on the session's thread.
 */
final class VerifyHandler {

    private static final Logger log = LoggerFactory.getLogger(VerifyHandler.class);

    private final LogPages pages;
    private final ResyncGate gate;
    private final HubMetrics metrics;
    private final HubConfig config;

    VerifyHandler(LogPages pages, ResyncGate gate, HubMetrics metrics, HubConfig config) {
        this.pages = pages;
        this.gate = gate;
        this.metrics = metrics;
        this.config = config;
    }

    /**
     * A {@code sync_verify} of the client on {@code terms}.
     *
     * @param ackedOnArrival what the client had acknowledged when the request arrived, or {@code null}
     */
    void request(SyncVerify verify, ClientSession session, StreamTerms terms, Lsn ackedOnArrival) {
        if (!verify.clientId().equals(terms.clientId())) {
            session.writer().error(ErrorCode.FORBIDDEN, "sync_verify for client '" + verify.clientId()
                    + "' on the connection of client '" + terms.clientId() + "': ignored");
            return;
        }
        if (session.verifyAsked()) {
            // The rate limit is being asked about the client's previous sync_verify: that one takes this interval's
            // place, so this one is refused here, without counting it in the shared state a second time.
            refuse(session, config.verifyInterval());
            return;
        }
        SessionPhase askedIn = session.phase();
        session.verifyAsked(true);
        gate.verify(terms.clientId(), session.executor(), allowed -> {
            session.verifyAsked(false);
            if (session.phase() != askedIn) {
                return; // the session ended or moved on while the answer was on its way
            }
            if (!allowed.admitted()) {
                refuse(session, allowed.retryAfter());
                return;
            }
            // The log keeps running sums per entity type: compare the sum over the types the client receives.
            EntityFilter filter = terms.filter();
            boolean compare = !filter.nothing() && verify.checksum() != null;
            Set<String> types = compare ? filter.logTypes() : Set.of();
            pages.read(changeLog -> VerifyResponder.read(changeLog, verify, compare, types), session.executor(),
                    inputs -> session.verifyRead(verify, inputs, ackedOnArrival), session::failedToReadLog);
        });
    }

    private void refuse(ClientSession session, Duration retryAfter) {
        metrics.verifiesLimited.increment();
        session.writer().error(ErrorCode.RATE_LIMITED, "too many sync_verify requests: at most one per "
                + config.verifyInterval().toMillis() + " ms; retry in " + Math.max(1, retryAfter.toMillis()) + " ms");
    }

    /** The client must resync (its phase says so): it is told again. */
    void answerResyncRequired(SyncVerify verify, HistoryState server, ClientSession session) {
        session.writer().send(new SyncVerifyResult(VerifyStatus.RESYNC_REQUIRED, verify.lastLsn(),
                server.capturePosition()));
    }

    /** The client streams from {@code outbox}: the verdict is sent, or a resync starts. */
    void answerStreaming(SyncVerify verify, VerifyResponder.Inputs inputs, Lsn ackedOnArrival, ClientSession session,
                         Outbox outbox) {
        HistoryState server = inputs.server().orElseThrow();
        Verdict verdict = VerifyResponder.decide(server, verify, inputs, outbox.window().sent(), ackedOnArrival);
        metrics.verified(verdict.status());
        if (verdict.resyncRequired()) {
            if (verdict.reason() == Verdict.Reason.CHECKSUM_MISMATCH) {
                metrics.checksumMismatches.increment();
            }
            if (verdict.reason() != Verdict.Reason.BEHIND_RETENTION) {
                log.warn("client '{}' failed verification: {}", session.clientId(), verdict.detail());
            }
            session.resync(verdict.detail(), verify.lastLsn(), server.capturePosition());
            return;
        }
        // changes_follow does not restart the stream: the batches after the client's position are already on
        // this connection or about to be (see VerifyResponder).
        session.writer().send(new SyncVerifyResult(verdict.status(), verify.lastLsn(), server.capturePosition()));
    }
}
