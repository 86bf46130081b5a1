package dev.tidemark.server.hub;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** The hub's meters. Names are Micrometer's; Prometheus shows them with underscores. */
final class HubMetrics {

    final Counter batchesLive;
    final Counter batchesLog;
    final Counter batchesCoalesced;
    final Counter partsAhead;
    final Counter messages;
    final Counter changes;
    final Counter bytes;
    final Counter acksSuccess;
    final Counter acksError;
    final Counter acksRejected;
    final Counter resends;
    final Counter encodingsEncoded;
    final Counter encodingsShared;
    final Counter resyncs;
    final Counter tableSnapshots;
    final Counter checksumMismatches;
    final Counter verifiesLimited;
    private final MeterRegistry registry;
    final Timer logReads;

    HubMetrics(MeterRegistry registry) {
        this.registry = registry;
        batchesLive = Counter.builder("tidemark.hub.batches").tag("source", "live")
                .description("batches assembled for clients").register(registry);
        batchesLog = Counter.builder("tidemark.hub.batches").tag("source", "log")
                .description("batches assembled for clients").register(registry);
        batchesCoalesced = Counter.builder("tidemark.hub.batches.coalesced")
                .description("live batches that carry several captured ranges to a client behind the head")
                .register(registry);
        partsAhead = Counter.builder("tidemark.hub.parts.ahead")
                .description("parts of large transactions sent while capture was still writing the transaction")
                .register(registry);
        messages = Counter.builder("tidemark.hub.messages.sent")
                .description("changes messages written (parts count one each)").register(registry);
        changes = Counter.builder("tidemark.hub.changes.sent").description("changes written to clients").register(registry);
        bytes = Counter.builder("tidemark.hub.sent.bytes").baseUnit("bytes")
                .description("bytes of changes messages written").register(registry);
        acksSuccess = Counter.builder("tidemark.hub.acks").tag("status", "success").register(registry);
        acksError = Counter.builder("tidemark.hub.acks").tag("status", "error").register(registry);
        acksRejected = Counter.builder("tidemark.hub.acks.rejected")
                .description("acks refused: another client id, beyond what was sent, not a batch end").register(registry);
        resends = Counter.builder("tidemark.hub.resends").description("rewinds after an error ack").register(registry);
        encodingsEncoded = Counter.builder("tidemark.hub.live.encodings").tag("result", "encoded")
                .description("live batches encoded").register(registry);
        encodingsShared = Counter.builder("tidemark.hub.live.encodings").tag("result", "shared")
                .description("live batches sent from another client's encoding").register(registry);
        resyncs = Counter.builder("tidemark.hub.resyncs.required")
                .description("clients told to resync").register(registry);
        tableSnapshots = Counter.builder("tidemark.hub.table.snapshots")
                .description("per-table snapshots sent to clients positioned before a table's refresh marker")
                .register(registry);
        checksumMismatches = Counter.builder("tidemark.hub.verify.checksum.mismatches")
                .description("sync_verify requests whose checksum differed from the change log's").register(registry);
        verifiesLimited = Counter.builder("tidemark.hub.verify.rate.limited")
                .description("sync_verify requests refused by the per-client rate limit").register(registry);
        logReads = Timer.builder("tidemark.hub.log.reads").description("change-log page reads").register(registry);
    }

    /** A {@code sync_verify} was answered with {@code status}. */
    void verified(dev.tidemark.protocol.VerifyStatus status) {
        registry.counter("tidemark.hub.verifies", "status", status.wireName()).increment();
    }

    void logRead(long nanos) {
        logReads.record(nanos, TimeUnit.NANOSECONDS);
    }
}
