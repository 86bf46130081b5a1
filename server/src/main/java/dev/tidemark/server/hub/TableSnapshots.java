package dev.tidemark.server.hub;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.Lsn;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-table snapshots in a stream: when the stream reaches refresh markers of types a client receives (or types
 * new to its store), the pacer admits a snapshot of those types, sent as one batch after the client's position
 * (see {@link TableSnapshotStreamer}); when it does not, the outbox looks again later. The pacer is asked off the
 * session's thread. Shared by the sessions of one hub; each call runs on the session's thread.
 */
final class TableSnapshots {

    private static final Logger log = LoggerFactory.getLogger(TableSnapshots.class);

    private final ResyncGate gate;
    private final SnapshotStreamers streamers;
    private final HubMetrics metrics;
    private final HubConfig config;

    TableSnapshots(ResyncGate gate, SnapshotStreamers streamers, HubMetrics metrics, HubConfig config) {
        this.gate = gate;
        this.streamers = streamers;
        this.metrics = metrics;
        this.config = config;
    }

    /** {@code streaming} stopped at {@code from} (in its stream {@code epoch}) for a snapshot. */
    void start(ClientSession session, StreamTerms terms, Outbox streaming, List<RefreshMarkers.Marker> markers,
               Set<String> owed, AssemblyState from, int epoch) {
        String clientId = terms.clientId();
        Set<String> types = new TreeSet<>(owed);
        markers.forEach(marker -> types.add(marker.entityType()));
        Lsn mustCover = markers.isEmpty() ? null : markers.get(markers.size() - 1).lsn();
        // The outbox writes nothing while it snapshots; the pacer is asked off the session's thread.
        gate.admit(clientId, session.executor(), admission -> {
            if (!session.streamsFrom(streaming) || streaming.epoch() != epoch
                    || !streaming.mode().is(OutboxState.Activity.SNAPSHOTTING)) {
                return; // the stream ended or moved on while the answer was on its way
            }
            if (!admission.admitted()) {
                long retryAfterMs = Math.max(1, admission.retryAfter().toMillis());
                log.info("client '{}' needs a snapshot of {} (refresh markers after {}); snapshots are paced: in {}"
                        + " ms", clientId, types, from.readPos(), retryAfterMs);
                streaming.retrySnapshot(retryAfterMs);
                return;
            }
            log.info("client '{}' at {} is sent a snapshot of {} ({})", clientId, from.chainLsn(), types,
                    markers.isEmpty() ? "entity types new to its store" : "the log's history of " + markers.stream()
                            .map(RefreshMarkers.Marker::entityType).distinct().toList() + " is complete only from "
                            + mustCover);
            metrics.tableSnapshots.increment();
            streamers.tables(terms.filter(), from, types, terms.heldTypes(), mustCover, session.executor(),
                    new Target(session, clientId, streaming, epoch));
        });
    }

    /** The session's side of one {@link TableSnapshotStreamer}: it acts only while its stream is current. */
    private final class Target implements TableSnapshotStreamer.Target {

        private final ClientSession session;
        private final String clientId;
        private final Outbox streaming;
        private final int epoch;

        Target(ClientSession session, String clientId, Outbox streaming, int epoch) {
            this.session = session;
            this.clientId = clientId;
            this.streaming = streaming;
            this.epoch = epoch;
        }

        private boolean current() {
            return session.streamsFrom(streaming) && streaming.epoch() == epoch;
        }

        @Override
        public CompletableFuture<Void> write(Changes part) {
            if (!current()) {
                return CompletableFuture.failedFuture(new IllegalStateException("the stream moved on"));
            }
            streaming.snapshotPartSent(part.batchId());
            return session.writer().writePart(part);
        }

        @Override
        public void finished(String batchId, Lsn position, long rows, Set<String> sent) {
            if (!current()) {
                return;
            }
            log.info("client '{}' was sent a snapshot of {} ({} rows) at {}; the tail follows", clientId, sent, rows,
                    position);
            streaming.snapshotSent(batchId, position, sent);
            streaming.pump();
        }

        @Override
        public void retryLater(String why) {
            if (!current()) {
                return;
            }
            log.warn("client '{}': {}; trying again in {} ms", clientId, why, config.resendBackoffMax().toMillis());
            streaming.retrySnapshot(config.resendBackoffMax().toMillis());
        }

        @Override
        public void failed(String why, RuntimeException cause) {
            if (!current()) {
                return;
            }
            log.error("client '{}': {}", clientId, why, cause);
            session.closeWith(ErrorCode.INTERNAL, why + ": reconnect later", CloseCodes.INTERNAL_ERROR);
        }
    }
}
