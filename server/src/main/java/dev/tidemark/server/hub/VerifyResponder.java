package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SyncVerify;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.recovery.ClientPosition;
import dev.tidemark.recovery.PositionCheck;
import dev.tidemark.recovery.ServerHistory;
import dev.tidemark.recovery.Verdict;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.HistoryState;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Answers {@code sync_verify} with {@link PositionCheck}: resync required when the client's position is not
 * retained, ahead of the server, or its checksum differs from the log's checksum through the same position
 * (a change skipped or applied twice), or when the client is behind a position it acknowledged on this
 * connection (its store lost committed changes); otherwise up to date when the client is where the stream
 * stands, and changes follow when it is not.
 *
 * <p>{@code changes_follow} never restarts the stream: the client's position is on the stream this connection
 * carries (the stream started there or passed it, and the batches after it are already sent or about to be),
 * so the batches after it are on their way. Restarting would send batches the client is about to receive
 * anyway: an overlap (protocol.md, "sync_verify").
 */
final class VerifyResponder {

    private VerifyResponder() {}

    /**
     * What the decision needs from the change log, read on a reader thread.
     *
     * @param server the log's state
     * @param expectedChecksum the log's checksum through the client's position, when compared and known
     */
    record Inputs(Optional<HistoryState> server, OptionalLong expectedChecksum) {}

    /**
     * Reads the inputs. The checksum is read only when {@code compareChecksum}: the log's running sum over the
     * entity types the client receives ({@code entityTypes}, empty for every type), a cheap lookup of the sums
     * kept per transaction and type. It is empty (position only) when the log does not know its per-type sums.
     */
    static Inputs read(ChangeLog changeLog, SyncVerify verify, boolean compareChecksum, Set<String> entityTypes) {
        Optional<HistoryState> server = changeLog.state();
        OptionalLong expected = compareChecksum && server.isPresent()
                ? changeLog.checksumThrough(verify.lastLsn(), entityTypes) : OptionalLong.empty();
        return new Inputs(server, expected);
    }

    /**
     * @param server the change log's state now
     * @param verify the client's request; its checksum counts only when {@code inputs} hold the log's
     * @param sent where the last batch sent to the client ended
     * @param ackedOnArrival what the client had acknowledged when the request arrived (every ack the client
     *     sent before it had arrived), or {@code null} for a client that does not ack
     */
    static Verdict decide(HistoryState server, SyncVerify verify, Inputs inputs, Lsn sent, Lsn ackedOnArrival) {
        OptionalLong clientChecksum = inputs.expectedChecksum().isPresent() && verify.checksum() != null
                ? OptionalLong.of(verify.checksum()) : OptionalLong.empty();
        // The session already checked the client's history at hello: the position is in the server's history.
        Verdict verdict = PositionCheck.check(new ClientPosition(server.historyId(), verify.lastLsn(), clientChecksum),
                new ServerHistory(server.historyId(), server.capturePosition(),
                        server.retainedFrom().isAfter(server.capturePosition()) ? server.capturePosition()
                                : server.retainedFrom()),
                lsn -> inputs.expectedChecksum());
        if (verdict.resyncRequired()) {
            return verdict;
        }
        if (ackedOnArrival != null && verify.lastLsn().isBefore(ackedOnArrival)) {
            return new Verdict(VerifyStatus.RESYNC_REQUIRED, Verdict.Reason.WENT_BACK, "the client is at "
                    + verify.lastLsn() + " but acknowledged " + ackedOnArrival + " before: its store lost changes"
                    + " it had committed");
        }
        return verify.lastLsn().equals(sent)
                ? new Verdict(VerifyStatus.UP_TO_DATE, Verdict.Reason.CAUGHT_UP, "the client is where the stream stands")
                : new Verdict(VerifyStatus.CHANGES_FOLLOW, Verdict.Reason.BEHIND, "the batches after "
                        + verify.lastLsn() + " are on their way (sent up to " + sent + ")");
    }
}
