package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.BucketSet;
import dev.tidemark.protocol.EntityEntry;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SourceAuditMessage;
import dev.tidemark.protocol.SourceDiff;
import dev.tidemark.protocol.SourceDigest;
import dev.tidemark.protocol.SourceEntries;
import dev.tidemark.protocol.SourceNarrow;
import dev.tidemark.protocol.SourceVerify;
import dev.tidemark.protocol.SourceVerifyResult;
import dev.tidemark.protocol.TypeDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of a verify against the source (protocol.md, "Verify against the source"), on the applier
 * thread, between two batches: sends {@code source_verify}, digests the store when {@code source_digest}
 * arrives (the stream stands exactly at its position then: batches are handled in order), lists the entries
 * of the buckets the server narrows, and completes with {@code source_verify_result}. The repair is an
 * ordinary batch, applied before the result is read.
 */
final class SourceVerifier {

    private static final Logger log = LoggerFactory.getLogger(SourceVerifier.class);

    /** A request of the application: the result, and where progress goes. */
    record Request(List<String> entityTypes, CompletableFuture<SourceVerifyResult> result, Consumer<String> progress) {
        Request {
            entityTypes = List.copyOf(entityTypes);
            requireNonNull(result, "result is null");
            requireNonNull(progress, "progress is null");
        }
    }

    private final SyncStore store;
    private final String clientId;
    private final StoreDigester digester;
    private Request pending;
    private Connection on;

    SourceVerifier(SyncStore store, String clientId) {
        this.store = requireNonNull(store, "store is null");
        this.clientId = requireNonNull(clientId, "clientId is null");
        this.digester = new StoreDigester(store);
    }

    /** The application asks; {@code live} is the welcomed connection or null. */
    void request(Connection live, Request request) {
        if (pending != null) {
            request.result().completeExceptionally(new IllegalStateException(
                    "a verify against the source is already running: wait for its result"));
            return;
        }
        if (live == null || !live.isOpen()) {
            request.result().completeExceptionally(new IllegalStateException(
                    "the client is not connected to the server; verify against the source once it is connected"));
            return;
        }
        pending = request;
        on = live;
        live.send(new SourceVerify(clientId, request.entityTypes()));
        progress("asked the server to verify " + (request.entityTypes().isEmpty() ? "every entity type"
                : request.entityTypes()) + " against the source");
    }

    /** A message of the flow from the server. */
    void onMessage(Connection connection, SourceAuditMessage message) {
        if (message instanceof SourceDigest digest) {
            onDigest(connection, digest);
        } else if (message instanceof SourceNarrow narrow) {
            onNarrow(connection, narrow);
        } else if (message instanceof SourceVerifyResult result) {
            onResult(connection, result);
        }
    }

    private void onDigest(Connection connection, SourceDigest digest) {
        Lsn committed = store.committedLsn();
        if (!committed.equals(digest.lsn())) {
            log.warn("{}: the server's digests are at {} but the store is at {}; answering so", connection,
                    digest.lsn(), committed);
            connection.send(new SourceDiff(committed, List.of()));
            return;
        }
        progress("the stream is at " + committed + "; digesting the store's " + digest.digests().size()
                + " entity types");
        List<BucketSet> differing = new ArrayList<>();
        for (TypeDigest source : digest.digests()) {
            TypeDigest mine = digester.digest(source.entityType(), source.bucketBits());
            List<Integer> buckets = source.differingBuckets(mine);
            progress(source.entityType() + ": " + mine.count() + " entities here, " + source.count()
                    + " at the source" + (buckets.isEmpty() ? ", equal" : ", " + buckets.size() + " of "
                    + source.buckets().size() + " buckets differ"));
            if (!buckets.isEmpty()) {
                differing.add(new BucketSet(source.entityType(), source.bucketBits(), buckets));
            }
        }
        connection.send(new SourceDiff(committed, differing));
    }

    private void onNarrow(Connection connection, SourceNarrow narrow) {
        Lsn committed = store.committedLsn();
        BucketSet buckets = narrow.buckets();
        List<EntityEntry> entries = digester.entries(buckets.entityType(), buckets.bucketBits(),
                new HashSet<>(buckets.buckets()));
        progress(buckets.entityType() + ": listing " + entries.size() + " entities of " + buckets.buckets().size()
                + " differing buckets");
        connection.send(new SourceEntries(committed, buckets, entries));
    }

    private void onResult(Connection connection, SourceVerifyResult result) {
        if (pending == null || on != connection) {
            log.info("{}: a source verify of this client (asked by an operator) ended {} at {}{}", connection,
                    result.status().wireName(), result.lsn(), result.message() == null ? "" : ": " + result.message());
            return;
        }
        Request done = pending;
        pending = null;
        on = null;
        done.result().complete(result);
    }

    /** A connection is gone: a verify waiting on it fails. */
    void connectionClosed(Connection connection) {
        if (pending != null && on == connection) {
            Request failed = pending;
            pending = null;
            on = null;
            failed.result().completeExceptionally(new IllegalStateException(
                    "the connection closed before the verify against the source ended; verify again once connected"));
        }
    }

    private void progress(String what) {
        log.info("verify against the source: {}", what);
        if (pending != null) {
            try {
                pending.progress().accept(what);
            } catch (RuntimeException e) {
                log.warn("a progress listener failed", e);
            }
        }
    }
}
