package dev.tidemark.server.hub;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SyncVerifyResult;
import dev.tidemark.protocol.VerifyStatus;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a resync means for one client: a legacy client is closed with {@code resync_required}; a client
 * that cannot load snapshots (or a server that cannot take them) is told so and streaming stops; otherwise the
 * pacer is asked ({@link #admit}, off the session's thread): it admits the snapshot now, or the client is told
 * when to come back. Shared by the sessions of one hub.
 */
final class ResyncPlanner {

    private static final Logger log = LoggerFactory.getLogger(ResyncPlanner.class);

    /** What to do. */
    sealed interface Plan permits CloseLegacy, TellRequired, AskPacer, ComeBackLater, SendSnapshot {}

    /** A legacy client: close with {@code resync_required}. */
    record CloseLegacy(String message) implements Plan {}

    /** Tell the client it must resync; it stays connected (it may verify) and is streamed nothing. */
    record TellRequired(SyncVerifyResult result) implements Plan {}

    /** A snapshot resync: the pacer decides ({@link #admit}) whether it is sent now or the client comes back. */
    record AskPacer(String clientId, String why, Lsn clientLsn, Lsn serverLsn) implements Plan {}

    /** Snapshots are paced: tell the client when to come back, then close. */
    record ComeBackLater(SyncVerifyResult result) implements Plan {}

    /** Admitted: stream a snapshot now. */
    record SendSnapshot() implements Plan {}

    private final ResyncGate gate;
    private final boolean snapshots;
    private final HubMetrics metrics;

    ResyncPlanner(ResyncGate gate, boolean snapshots, HubMetrics metrics) {
        this.gate = gate;
        this.snapshots = snapshots;
        this.metrics = metrics;
    }

    /** The client on {@code terms} cannot continue from {@code clientLsn}, because of {@code why}. */
    Plan plan(StreamTerms terms, String why, Lsn clientLsn, Lsn serverLsn) {
        metrics.resyncs.increment();
        String clientId = terms.clientId();
        if (!terms.v1()) {
            log.info("legacy client '{}' must resync: {}", clientId, why);
            return new CloseLegacy(why + ": load a snapshot");
        }
        if (!terms.resyncCapable() || !snapshots) {
            log.warn("client '{}' must resync and {}: {}", clientId, terms.resyncCapable()
                    ? "this server takes no snapshots" : "does not load snapshots (no 'resync' capability)", why);
            return new TellRequired(new SyncVerifyResult(VerifyStatus.RESYNC_REQUIRED, clientLsn, serverLsn));
        }
        return new AskPacer(clientId, why, clientLsn, serverLsn);
    }

    /**
     * Asks the pacer for the snapshot of {@code ask}; {@code then} hears {@link ComeBackLater} or {@link
     * SendSnapshot} on {@code on} (the session's thread).
     */
    void admit(AskPacer ask, Executor on, Consumer<Plan> then) {
        String clientId = ask.clientId();
        gate.admit(clientId, on, admission -> {
            if (!admission.admitted()) {
                long retryAfterMs = Math.max(1, admission.retryAfter().toMillis());
                log.info("client '{}' must resync ({}); resyncs are paced: it comes back in {} ms", clientId,
                        ask.why(), retryAfterMs);
                then.accept(new ComeBackLater(SyncVerifyResult.retryLater(ask.clientLsn(), ask.serverLsn(),
                        retryAfterMs)));
                return;
            }
            log.info("client '{}' resyncs from a snapshot: {}", clientId, ask.why());
            then.accept(new SendSnapshot());
        });
    }
}
