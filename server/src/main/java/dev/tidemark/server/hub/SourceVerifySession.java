package dev.tidemark.server.hub;

import dev.tidemark.protocol.BucketSet;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.EntityEntry;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.RepairedEntities;
import dev.tidemark.protocol.SourceDiff;
import dev.tidemark.protocol.SourceDigest;
import dev.tidemark.protocol.SourceEntries;
import dev.tidemark.protocol.SourceNarrow;
import dev.tidemark.protocol.SourceVerify;
import dev.tidemark.protocol.SourceVerifyResult;
import dev.tidemark.protocol.SourceVerifyStatus;
import dev.tidemark.protocol.TypeDigest;
import dev.tidemark.server.spi.LogPosition;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of one client's source verify (protocol.md, "Verify against the source"), on the session's
 * thread: holds the client's stream at a batch boundary, takes the source's digests at a snapshot whose cut P
 * is a log position, streams the client exactly up to P (one catch-up batch), sends {@code source_digest},
 * narrows the differing buckets to entities ({@code source_narrow} / {@code source_entries}), sends ONE repair
 * batch after P that rewrites only those entities from the source, answers {@code source_verify_result} and
 * lets the stream go on. Source reads run on the hub's snapshot threads; every other client is served
 * meanwhile.
 */
final class SourceVerifySession {

    private static final Logger log = LoggerFactory.getLogger(SourceVerifySession.class);

    /** At most this many source entries are listed per {@code source_narrow}. */
    static final int MAX_ENTRIES_PER_NARROW = 5_000;
    /** At most this many entities are repaired; beyond that the client should resync the types instead. */
    static final int MAX_REPAIR = 10_000;
    /** Digest attempts when the source snapshot's cut lies before what the client was already sent. */
    private static final int DIGEST_ATTEMPTS = 5;
    /** How long a repair waits at most for the log to move past P (a heartbeat moves it when idle). */
    private static final long REPAIR_WAIT_MILLIS = 30_000;
    private static final long RETRY_MILLIS = 100;

    /** What the session lends the verify; every call on the session's thread. */
    interface Host {
        String clientId();

        /** The outbox while streaming, else null. */
        Outbox outbox();

        EntityFilter filter();

        /** Sends and flushes. */
        void send(Message message);

        /** Sends one part of a batch; completes once the connection is writable again. */
        CompletableFuture<Void> writePart(Changes part);

        /** The connection must end: a batch was cut short. */
        void abort(String why, RuntimeException cause);

        EventExecutor executor();
    }

    private enum Phase { IDLE, ADMITTING, HOLDING, DIGESTING, AWAITING_DIFF, NARROWING, REPAIRING }

    private final ResyncGate gate;
    private final SnapshotStreamers snapshots;
    private final HubMetrics metrics;
    private final HubConfig config;
    private final Host host;
    private Phase phase = Phase.IDLE;
    private int epoch;
    /** Counts the verifies asked to be admitted, so an answer for one that ended is recognised. */
    private int admissions;
    private AssemblyState at;
    private List<String> askedTypes = List.of();
    private Lsn position = Lsn.ZERO;
    private Map<String, TypeDigest> sent = Map.of();
    private final ArrayDeque<BucketSet> narrows = new ArrayDeque<>();
    private BucketSet narrowing;
    private final Map<String, SortedSet<String>> divergent = new TreeMap<>();
    private int digestAttempts;
    private long repairDeadline;
    private Consumer<SourceVerifyResult> observer;

    SourceVerifySession(ResyncGate gate, SnapshotStreamers snapshots, HubMetrics metrics, HubConfig config, Host host) {
        this.gate = gate;
        this.snapshots = snapshots;
        this.metrics = metrics;
        this.config = config;
        this.host = host;
    }

    /** True while a verify runs. */
    boolean running() {
        return phase != Phase.IDLE;
    }

    /** A {@code source_verify} from the client. */
    void request(SourceVerify request) {
        start(request, null);
    }

    /**
     * Starts a verify (the client's, or an operator's when {@code observer} is set: it hears the result too).
     */
    void start(SourceVerify request, Consumer<SourceVerifyResult> observer) {
        if (phase != Phase.IDLE) {
            refuse(observer, SourceVerifyResult.failed(Lsn.ZERO, "a source verify of client '" + host.clientId()
                    + "' is already running: wait for its result"));
            return;
        }
        if (!request.clientId().equals(host.clientId())) {
            host.send(new dev.tidemark.protocol.ErrorMessage(ErrorCode.FORBIDDEN, "source_verify for client '"
                    + request.clientId() + "' on the connection of client '" + host.clientId() + "': ignored"));
            refuse(observer, SourceVerifyResult.failed(Lsn.ZERO, "source_verify names another client"));
            return;
        }
        if (host.outbox() == null) {
            refuse(observer, SourceVerifyResult.failed(Lsn.ZERO, "the client is not streaming (it is starting or"
                    + " resyncing): verify again once it is connected and caught up"));
            return;
        }
        for (String type : request.entityTypes()) {
            if (!host.filter().matches(type)) {
                refuse(observer, SourceVerifyResult.failed(Lsn.ZERO, "entity type '" + type + "' is not one this client"
                        + " receives (its subscriptions and its token's grant): verify only types it receives"));
                return;
            }
        }
        if (!snapshots.available()) {
            refuse(observer, SourceVerifyResult.failed(Lsn.ZERO, "this server reads no snapshots of the source, so it"
                    + " cannot verify against it: run the server with a source it can read"));
            return;
        }
        // The rate limit, then the pacer, are asked off the session's thread; meanwhile a second verify is refused
        // as running (it would count twice) and the stream goes on (it is held only once both admit the verify).
        phase = Phase.ADMITTING;
        this.observer = observer;
        int asked = ++admissions;
        String clientId = host.clientId();
        gate.sourceVerify(clientId, host.executor(), allowed -> {
            if (!admitting(asked)) {
                return;
            }
            if (!allowed.admitted()) {
                metrics.verifiesLimited.increment();
                refused(SourceVerifyResult.failed(Lsn.ZERO, "too many source_verify requests: at most one per "
                        + config.verifyInterval().toMillis() + " ms; retry in "
                        + Math.max(1, allowed.retryAfter().toMillis()) + " ms"));
                return;
            }
            gate.admit(clientId, host.executor(), admission -> {
                if (!admitting(asked)) {
                    return;
                }
                if (!admission.admitted()) {
                    refused(SourceVerifyResult.failed(Lsn.ZERO, "reads of the source are paced (like resync"
                            + " snapshots): retry in " + Math.max(1, admission.retryAfter().toMillis()) + " ms"));
                    return;
                }
                admitted(request);
            });
        });
    }

    /** Whether the admission {@code asked} is still awaited (the connection did not end meanwhile). */
    private boolean admitting(int asked) {
        return phase == Phase.ADMITTING && admissions == asked;
    }

    /** Both the rate limit and the pacer admitted the verify: the stream stops at the next batch boundary. */
    private void admitted(SourceVerify request) {
        if (host.outbox() == null) {
            // The session stopped streaming while the verify was being admitted (a resync started).
            refused(SourceVerifyResult.failed(Lsn.ZERO, "the client is not streaming (it is starting or"
                    + " resyncing): verify again once it is connected and caught up"));
            return;
        }
        askedTypes = request.entityTypes();
        position = Lsn.ZERO;
        sent = Map.of();
        narrows.clear();
        narrowing = null;
        divergent.clear();
        digestAttempts = 0;
        phase = Phase.HOLDING;
        log.info("client '{}' verifies {} against the source; its stream stops at the next batch boundary",
                host.clientId(), askedTypes.isEmpty() ? "every entity type it receives" : askedTypes);
        host.outbox().hold();
    }

    /** The verify being admitted was refused: only its sender hears it, and it did not start. */
    private void refused(SourceVerifyResult result) {
        Consumer<SourceVerifyResult> requester = observer;
        phase = Phase.IDLE;
        observer = null;
        refuse(requester, result);
    }

    /** The outbox stopped at a batch boundary. */
    void held(AssemblyState state, int heldEpoch) {
        if (phase != Phase.HOLDING) {
            host.outbox().release();
            return;
        }
        at = state;
        epoch = heldEpoch;
        phase = Phase.DIGESTING;
        digest();
    }

    private void digest() {
        digestAttempts++;
        List<String> types = askedTypes;
        EntityFilter filter = host.filter();
        onSnapshotThread(scanner -> scanner.digest(type -> filter.matches(type)
                && (types.isEmpty() || types.contains(type)), types), this::digested, "the source's digests");
    }

    private void digested(SourceScanner.Digests digests) {
        if (!current(Phase.DIGESTING)) {
            return;
        }
        if (digests.position().isBefore(at.chainLsn())) {
            if (digestAttempts < DIGEST_ATTEMPTS) {
                digest();
            } else {
                fail("the source's snapshot cut " + digests.position() + " stays before the client's stream at "
                        + at.chainLsn() + " (transactions running on the source): verify again in a moment");
            }
            return;
        }
        position = digests.position();
        Map<String, TypeDigest> coarse = new TreeMap<>();
        for (TypeDigest digest : digests.types()) {
            coarse.put(digest.entityType(), digest.coarser(TypeDigest.bitsFor(digest.count())));
        }
        sent = coarse;
        if (at.chainLsn().isBefore(position)) {
            stream(at.cursor(), at.chainLsn(), position, List.of(), null, (batchId, end) -> sendDigest());
        } else {
            sendDigest();
        }
    }

    private void sendDigest() {
        phase = Phase.AWAITING_DIFF;
        log.info("client '{}' is at {}: sent the source's digests of {}", host.clientId(), position, sent.keySet());
        host.send(new SourceDigest(position, List.copyOf(sent.values())));
    }

    /** The client's {@code source_diff}. */
    void diff(SourceDiff diff) {
        if (phase != Phase.AWAITING_DIFF) {
            unexpected(diff.type());
            return;
        }
        if (!diff.lsn().equals(position)) {
            fail("the client digested its store at " + diff.lsn() + ", not at the verify's position " + position
                    + " (a batch before it was not applied): verify again");
            return;
        }
        for (BucketSet set : diff.differing()) {
            TypeDigest digest = sent.get(set.entityType());
            if (digest == null || digest.bucketBits() != set.bucketBits()) {
                host.send(new dev.tidemark.protocol.ErrorMessage(ErrorCode.INVALID_FIELD, "source_diff names "
                        + set.entityType() + " at " + set.bucketBits() + " bucket bits, which source_digest did not"
                        + " send"));
                fail("the client's source_diff does not match the source's digests");
                return;
            }
            plan(set, digest);
        }
        if (narrows.isEmpty()) {
            finish(new SourceVerifyResult(SourceVerifyStatus.AGREE, position, List.of(), null));
            return;
        }
        log.info("client '{}' differs from the source at {} in {}", host.clientId(), position,
                diff.differing().stream().map(s -> s.entityType() + " (" + s.buckets().size() + " of "
                        + (1 << s.bucketBits()) + " buckets)").toList());
        phase = Phase.NARROWING;
        nextNarrow();
    }

    /** Splits the differing buckets of one type into narrows of at most about MAX_ENTRIES_PER_NARROW entries. */
    private void plan(BucketSet set, TypeDigest digest) {
        List<Integer> group = new ArrayList<>();
        long entries = 0;
        for (int bucket : set.buckets()) {
            long count = digest.buckets().get(bucket).count();
            if (!group.isEmpty() && entries + count > MAX_ENTRIES_PER_NARROW) {
                narrows.add(new BucketSet(set.entityType(), set.bucketBits(), group));
                group = new ArrayList<>();
                entries = 0;
            }
            group.add(bucket);
            entries += count;
        }
        narrows.add(new BucketSet(set.entityType(), set.bucketBits(), group));
    }

    private void nextNarrow() {
        narrowing = narrows.poll();
        if (narrowing == null) {
            repair();
            return;
        }
        host.send(new SourceNarrow(position, narrowing));
    }

    /** The client's {@code source_entries}. */
    void entries(SourceEntries entries) {
        if (phase != Phase.NARROWING || narrowing == null) {
            unexpected(entries.type());
            return;
        }
        if (!entries.lsn().equals(position) || !entries.buckets().equals(narrowing)) {
            fail("the client listed " + entries.buckets().entityType() + " buckets " + entries.buckets().buckets()
                    + " at " + entries.lsn() + ", not the buckets asked for at " + position + ": verify again");
            return;
        }
        BucketSet buckets = narrowing;
        narrowing = null;
        onSnapshotThread(scanner -> scanner.entries(buckets, MAX_ENTRIES_PER_NARROW * 2), source -> {
            if (!current(Phase.NARROWING)) {
                return;
            }
            SortedSet<String> ids = EntityEntry.divergentIds(source.entries(), entries.entries());
            if (!ids.isEmpty()) {
                divergent.computeIfAbsent(buckets.entityType(), t -> new TreeSet<>()).addAll(ids);
            }
            int total = divergent.values().stream().mapToInt(Set::size).sum();
            if (total > MAX_REPAIR) {
                fail("more than " + MAX_REPAIR + " entities of " + divergent.keySet() + " differ from the source:"
                        + " too many to repair one by one; resync the client (delete its store) instead");
                return;
            }
            nextNarrow();
        }, "the source's entries of " + buckets.entityType());
    }

    private void repair() {
        if (divergent.isEmpty()) {
            finish(new SourceVerifyResult(SourceVerifyStatus.AGREE, position, List.of(), "the buckets that differed"
                    + " at " + position + " hold no differing entity at the later snapshot the entries were read at:"
                    + " the source changed meanwhile"));
            return;
        }
        phase = Phase.REPAIRING;
        repairDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPAIR_WAIT_MILLIS);
        readRepair();
    }

    private void readRepair() {
        Map<String, SortedSet<String>> ids = new TreeMap<>(divergent);
        onSnapshotThread(scanner -> scanner.repair(ids), this::repairRead, "the source rows of the repair");
    }

    private void repairRead(SourceScanner.Repair repair) {
        if (!current(Phase.REPAIRING)) {
            return;
        }
        if (!repair.position().isAfter(position)) {
            // The batch must end after the client's position P; the log moves on with the next write or heartbeat.
            if (System.nanoTime() - repairDeadline > 0) {
                fail("the change log did not move past " + position + " within " + REPAIR_WAIT_MILLIS + " ms, so no"
                        + " repair batch could follow it: check that capture is running, then verify again");
                return;
            }
            host.executor().schedule(() -> {
                if (current(Phase.REPAIRING)) {
                    readRepair();
                }
            }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        List<RepairedEntities> repaired = new ArrayList<>();
        divergent.forEach((type, ids) -> repaired.add(new RepairedEntities(type, List.copyOf(ids))));
        log.info("client '{}': repairing {} entities ({}) from the source in one batch {} → {}", host.clientId(),
                repaired.stream().mapToInt(r -> r.entityIds().size()).sum(), divergent.keySet(), position,
                repair.position());
        stream(LogPosition.afterTransaction(position), position, repair.position(), repair.changes(),
                List.copyOf(divergent.keySet()), (batchId, end) -> finish(
                        new SourceVerifyResult(SourceVerifyStatus.REPAIRED, position, repaired, null)));
    }

    private void stream(LogPosition cursor, Lsn prev, Lsn end, List<dev.tidemark.protocol.Change> extra,
                        List<String> repairedTypes, java.util.function.BiConsumer<String, Lsn> then) {
        Phase during = phase;
        Outbox outbox = host.outbox();
        snapshots.heldBatch(host.filter(), cursor, prev, end, extra, repairedTypes, host.executor(),
                new HeldBatchStreamer.Target() {
                    @Override
                    public CompletableFuture<Void> write(Changes part) {
                        if (!current(during)) {
                            return CompletableFuture.failedFuture(new IllegalStateException("the verify ended"));
                        }
                        return host.writePart(part);
                    }

                    @Override
                    public void finished(String batchId, Lsn at) {
                        if (!current(during)) {
                            return;
                        }
                        outbox.heldBatchSent(batchId, at);
                        then.accept(batchId, at);
                    }

                    @Override
                    public void failed(String why, boolean written, RuntimeException cause) {
                        if (!current(during)) {
                            return;
                        }
                        if (written) {
                            phase = Phase.IDLE;
                            host.abort(why, cause);
                        } else {
                            fail(why + ": verify again");
                        }
                    }
                });
    }

    private <T> void onSnapshotThread(java.util.function.Function<SourceScanner, T> read, Consumer<T> then,
                                      String what) {
        Phase during = phase;
        SourceScanner scanner = snapshots.scanner();
        try {
            snapshots.execute(() -> {
                T result;
                try {
                    result = read.apply(scanner);
                } catch (RuntimeException e) {
                    host.executor().execute(() -> {
                        if (current(during)) {
                            log.warn("client '{}': reading {} failed", host.clientId(), what, e);
                            fail("the server could not read " + what + ": " + e.getMessage() + "; verify again later");
                        }
                    });
                    return;
                }
                host.executor().execute(() -> then.accept(result));
            });
        } catch (RuntimeException e) {
            fail("the server could not read " + what + ": " + e.getMessage() + "; verify again later");
        }
    }

    /** True while the verify is in {@code expected} and the stream was not rewound since it was held. */
    private boolean current(Phase expected) {
        if (phase != expected) {
            return false;
        }
        Outbox outbox = host.outbox();
        if (outbox == null || outbox.epoch() != epoch) {
            failed("the stream to the client restarted during the verify (a batch was refused): verify again");
            return false;
        }
        return true;
    }

    private void unexpected(String type) {
        host.send(new dev.tidemark.protocol.ErrorMessage(ErrorCode.UNEXPECTED_MESSAGE, "'" + type
                + "' arrived while no source verify waits for it: send source_verify first"));
    }

    private void fail(String why) {
        log.warn("client '{}': the source verify failed: {}", host.clientId(), why);
        finish(SourceVerifyResult.failed(position, why));
    }

    /** Ends the verify without releasing the stream (it moved on already, or the connection is gone). */
    private void failed(String why) {
        log.warn("client '{}': the source verify failed: {}", host.clientId(), why);
        phase = Phase.IDLE;
        reply(observer, SourceVerifyResult.failed(position, why));
        observer = null;
    }

    private void finish(SourceVerifyResult result) {
        phase = Phase.IDLE;
        if (result.status() != SourceVerifyStatus.FAILED) {
            log.info("client '{}': the source verify at {} ended {} ({} entities repaired)", host.clientId(),
                    result.lsn(), result.status().wireName(), result.repairedCount());
        }
        reply(observer, result);
        observer = null;
        Outbox outbox = host.outbox();
        if (outbox != null) {
            outbox.release();
        }
    }

    /** A request refused before it started: only its sender hears it (an operator's, or the client's). */
    private void refuse(Consumer<SourceVerifyResult> requester, SourceVerifyResult result) {
        if (requester != null) {
            requester.accept(result);
        } else {
            host.send(result);
        }
    }

    private void reply(Consumer<SourceVerifyResult> to, SourceVerifyResult result) {
        host.send(result);
        if (to != null) {
            to.accept(result);
        }
    }

    /** The connection ended: an operator waiting hears so. */
    void ended() {
        if (phase != Phase.IDLE) {
            phase = Phase.IDLE;
            if (observer != null) {
                observer.accept(SourceVerifyResult.failed(position, "the client's connection ended during the verify"));
                observer = null;
            }
        }
    }

}
