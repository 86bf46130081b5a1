package dev.tidemark.client;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.internal.AckPolicy;
import dev.tidemark.client.internal.ClientIdentity;
import dev.tidemark.client.internal.EngineConfig;
import dev.tidemark.client.internal.SyncEngine;
import dev.tidemark.client.spi.StoreView;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncListener;
import dev.tidemark.client.status.SyncStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/**
 * A Tidemark client: keeps a local store in sync with a Tidemark server.
 *
 * <pre>{@code
 * try (TidemarkClient client = TidemarkClient.builder()
 *         .serverUrl("ws://localhost:8080/sync")
 *         .token(token)
 *         .store("sqlite", Map.of("path", "todo.db"))
 *         .listener(new SyncListener() {
 *             public void onBatchApplied(AppliedBatch batch) { System.out.println("now at " + batch.lsn()); }
 *         })
 *         .build()
 *         .start()) {
 *     client.caughtUp().get();          // everything the server had when we connected is applied
 *     client.store().get("todo", "42"); // read synced entities
 * }
 * }</pre>
 *
 * <p>The client applies each batch the server sends in one store transaction that also moves the
 * store's committed LSN, and acknowledges it ({@code sync_ack}) only after that commit. A batch
 * whose checksum does not match, that does not start at the committed LSN, or that the store fails
 * to apply is not applied and is acknowledged {@code error}, so the server sends it again. A large
 * source transaction that arrives in parts streams into one store transaction. A lost connection
 * is re-opened with exponential backoff and jitter, resuming from the store's committed LSN. Given several
 * server URLs (the nodes of one deployment), the client moves to the next node when one fails.
 *
 * <p>No dependency injection is needed; the client starts two threads of its own (network and
 * applier) and one for listener calls. Close it to stop them. What the client reports — its
 * {@link ClientState}, {@link SyncStatus}, errors and applied batches — is in
 * {@code dev.tidemark.client.status}.
 */
public final class TidemarkClient implements AutoCloseable {

    private final StoreView store;
    private final SyncEngine engine;
    private final StopWatch stopWatch;

    private TidemarkClient(Builder settings, EngineConfig config) {
        boolean ownsStore = settings.store == null;
        SyncStore store = ownsStore ? openStore(settings.storeName, settings.storeSettings) : settings.store;
        this.store = new ReadOnlyStore(store);
        this.stopWatch = new StopWatch(settings.token != null);
        List<SyncListener> listeners = new ArrayList<>();
        listeners.add(stopWatch);
        listeners.addAll(settings.listeners);
        try {
            this.engine = new SyncEngine(config, store, ownsStore, listeners);
        } catch (RuntimeException e) {
            if (ownsStore) {
                store.close();
            }
            throw e;
        }
    }

    /** Opens a store by name; a file that cannot be opened because of its directory's permissions says so. */
    private static SyncStore openStore(String name, Map<String, String> settings) {
        try {
            return SyncStores.open(name, settings);
        } catch (SyncStoreException e) {
            String path = settings.get("path");
            if (path == null) {
                throw e;
            }
            Path file = Path.of(path).toAbsolutePath();
            Path directory = file.getParent();
            String problem = directory == null ? null
                    : Files.exists(directory) && !Files.isDirectory(directory) ? directory + " is a file, not a directory"
                    : !Files.isWritable(directory) ? "the directory " + directory + " is not writable (permissions: the"
                            + " store creates the file and its journal there)"
                    : Files.exists(file) && !Files.isWritable(file) ? "the file " + file + " is not writable (permissions)"
                    : null;
            if (problem == null) {
                throw e;
            }
            throw new SyncStoreException(e.code(), e.getMessage() + " — " + problem
                    + ": choose another path or fix the permissions", e);
        }
    }

    /** A builder with the defaults; only {@link Builder#serverUrl} and a store are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts syncing: reads the position from the store, then connects. Returns at
     * once; watch {@link #status()}, {@link #caughtUp()} or a {@link SyncListener}.
     *
     * @return this client
     * @throws SyncStoreException when the store cannot be read
     * @throws IllegalStateException when already started or closed
     */
    public TidemarkClient start() {
        engine.start();
        return this;
    }

    /**
     * The client id, known once built: the one given to the builder, else the one the token names, else
     * the one kept in the store (created and kept there by {@link Builder#build()} on first use).
     */
    public String clientId() {
        return engine.clientId();
    }

    /** The current progress. */
    public SyncStatus status() {
        return engine.status();
    }

    /**
     * A read-only view of the store the client syncs into: its entities, position and metadata. Read
     * from it freely (reads see whole batches only); the client is the store's only writer.
     */
    public StoreView store() {
        return store;
    }

    /**
     * Completes once the client is connected and its store has everything up to the highest server
     * position it has seen — at first, the server's position when it welcomed the client. Completes
     * exceptionally with a {@link ClientStoppedException} saying why if the client stops
     * ({@link ClientState#isTerminal()}) first.
     */
    public CompletableFuture<SyncStatus> caughtUp() {
        CompletableFuture<SyncStatus> result = new CompletableFuture<>();
        engine.caughtUp().whenComplete((status, failure) -> {
            if (failure == null) {
                result.complete(status);
            } else {
                failWithReason(result, failure);
            }
        });
        return result;
    }

    /**
     * Completes when the client stops for good, with why: the server refused it, its store must be
     * resynced, or it was closed. The future completes normally; its value is the reason.
     */
    public CompletableFuture<ClientStoppedException> stopped() {
        return stopWatch.stopped().copy();
    }

    private void failWithReason(CompletableFuture<?> result, Throwable failure) {
        ClientState state = status().state();
        if (!state.isTerminal()) {
            result.completeExceptionally(failure);
            return;
        }
        stopWatch.reasonFor(state).whenComplete((stop, ignored) -> result.completeExceptionally(stop));
    }

    /**
     * Asks the server to verify the store's position: sends {@code sync_verify} with the committed
     * LSN and the checksum of every change applied, read together between two batches. Completes
     * with the server's answer; exceptionally when the client is not connected or the connection is
     * lost before the answer, and with {@link VerifyRefusedException} when the server refused it because the
     * client's previous verify was too recent (verify again a second later). A {@code resync_required} answer
     * also stops streaming ({@link ClientState#RESYNC_REQUIRED}).
     */
    public CompletableFuture<StoreVerification> verify() {
        CompletableFuture<StoreVerification> result = new CompletableFuture<>();
        engine.verify().whenComplete((answer, failure) -> {
            if (failure == null) {
                StoreVerification.Outcome outcome = switch (answer.status()) {
                    case UP_TO_DATE -> StoreVerification.Outcome.UP_TO_DATE;
                    case CHANGES_FOLLOW -> StoreVerification.Outcome.CHANGES_FOLLOW;
                    case RESYNC_REQUIRED -> StoreVerification.Outcome.RESYNC_REQUIRED;
                };
                result.complete(new StoreVerification(outcome, answer.lsn(), answer.serverLsn(), answer.snapshotLsn()));
            } else {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                failWithReason(result, cause instanceof dev.tidemark.client.internal.VerifyRateLimitedException limited
                        ? new VerifyRefusedException(limited.reason()) : failure);
            }
        });
        return result;
    }

    /**
     * Verifies the store against the source itself (not only against the change log), for every entity type
     * this client receives: the server holds the client's stream at a log position, compares digests of the
     * source rows with digests of the store there, narrows a difference down to the entities that differ and
     * repairs exactly those in one batch; nothing else in the store is touched. See {@link #verifySource(
     * java.util.Collection, java.util.function.Consumer)}.
     */
    public CompletableFuture<SourceVerification> verifySource() {
        return verifySource(java.util.List.of(), step -> { });
    }

    /**
     * Verifies the given entity types against the source (empty: every type this client receives), telling
     * {@code progress} what it is doing. Completes with the outcome once any repair is committed; a verify the
     * server could not complete is {@link SourceVerification.Outcome#FAILED} with the reason; exceptionally
     * when the client is not connected or the connection is lost during the verify. The server allows one
     * verify against the source per client per verify interval (separately from {@link #verify()}).
     */
    public CompletableFuture<SourceVerification> verifySource(java.util.Collection<String> entityTypes,
                                                              java.util.function.Consumer<String> progress) {
        CompletableFuture<SourceVerification> result = new CompletableFuture<>();
        engine.verifySource(java.util.List.copyOf(entityTypes), progress).whenComplete((answer, failure) -> {
            if (failure != null) {
                failWithReason(result, failure);
                return;
            }
            java.util.Map<String, java.util.List<String>> repaired = new java.util.TreeMap<>();
            answer.repaired().forEach(r -> repaired.put(r.entityType(), r.entityIds()));
            SourceVerification.Outcome outcome = switch (answer.status()) {
                case AGREE -> SourceVerification.Outcome.AGREED;
                case REPAIRED -> SourceVerification.Outcome.REPAIRED;
                case FAILED -> SourceVerification.Outcome.FAILED;
            };
            result.complete(new SourceVerification(outcome, answer.lsn(), repaired, answer.message()));
        });
        return result;
    }

    /**
     * Stops: a batch being applied finishes or, if it is waiting for its remaining parts, rolls
     * back; the connection closes; a store opened by name is closed. Idempotent.
     */
    @Override
    public void close() {
        boolean running = !status().state().isTerminal();
        engine.close();
        if (running) {
            stopWatch.closed();
        }
    }

    /** Settings of a {@link TidemarkClient}; checked by {@link #build()}. Not thread-safe. */
    public static final class Builder {

        /** The path used when the server URL has none. */
        public static final String DEFAULT_PATH = "/sync";

        /** The reconnect backoff unless {@link #reconnectBackoff(ReconnectBackoff)} says otherwise. */
        public static final ReconnectBackoff DEFAULT_BACKOFF =
                ReconnectBackoff.of(Duration.ofMillis(250), Duration.ofSeconds(30));
        static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
        static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);
        static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
        static final int DEFAULT_RECEIVE_BUFFER = 16;

        private final List<URI> serverUris = new ArrayList<>();
        private String token;
        private String clientId;
        private String storeName;
        private Map<String, String> storeSettings = Map.of();
        private SyncStore store;
        private final List<String> subscriptions = new ArrayList<>();
        private final List<SyncListener> listeners = new ArrayList<>();
        private AckMode ackMode = AckMode.AFTER_COMMIT;
        private ReconnectBackoff backoff = DEFAULT_BACKOFF;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration keepAliveInterval = DEFAULT_KEEP_ALIVE;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private int receiveBuffer = DEFAULT_RECEIVE_BUFFER;
        private SSLContext sslContext;
        private boolean compression;

        private Builder() {}

        /**
         * A server's sync endpoint, {@code ws://HOST:PORT/sync} or {@code wss://…}; the path
         * {@value #DEFAULT_PATH} is used when the URL has none. Required. Called again, it adds another node
         * of the same Tidemark deployment (see {@link #serverUrls(List)}); behind a load balancer one URL is enough.
         */
        public Builder serverUrl(String url) {
            return serverUri(parse(url));
        }

        /**
         * The sync endpoints of the deployment's server nodes, in the order tried (replacing any given before);
         * each as in {@link #serverUrl(String)}, {@code ws://} and {@code wss://} may be mixed. The client
         * connects to the first; when a connection cannot be opened or is lost it moves on to the next (round
         * robin), waiting the reconnect backoff only once every node failed in a row. It resumes from the store's
         * committed position on whichever node it reaches. A node that refuses the client (its token, its
         * protocol version) stops it as with one URL.
         */
        public Builder serverUrls(List<String> urls) {
            requireNonNull(urls, "urls is null");
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("no server URL given: name at least one, such as"
                        + " ws://localhost:8080/sync");
            }
            List<URI> parsed = new ArrayList<>();
            for (String url : urls) {
                parsed.add(withPath(parse(url)));
            }
            serverUris.clear();
            serverUris.addAll(parsed);
            return this;
        }

        /** A server's sync endpoint; see {@link #serverUrl(String)}. Called again, it adds another node. */
        public Builder serverUri(URI uri) {
            serverUris.add(withPath(uri));
            return this;
        }

        private static URI parse(String url) {
            requireNonNull(url, "a server URL is null");
            if (url.isBlank()) {
                throw new IllegalArgumentException("a server URL is empty: give one such as ws://localhost:8080/sync");
            }
            try {
                return new URI(url.trim());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("'" + url + "' is not a URL such as ws://localhost:8080/sync: "
                        + e.getMessage(), e);
            }
        }

        private static URI withPath(URI uri) {
            requireNonNull(uri, "uri is null");
            String path = uri.getRawPath();
            if (path == null || path.isEmpty() || path.equals("/")) {
                try {
                    return new URI(uri.getScheme(), uri.getRawAuthority(), DEFAULT_PATH, uri.getRawQuery(), null);
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException("'" + uri + "' is not a usable server URL: " + e.getMessage(), e);
                }
            }
            return uri;
        }

        /** The bearer token, sent as {@code Authorization: Bearer <token>}. Default: none. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /**
         * The client id; it must match the id the token names. Default: the id the token names, or,
         * for a token that names none, an id created by {@link #build()} on first use and kept in the store (metadata
         * {@code tidemark.client_id}).
         */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /**
         * Sync into the store named {@code name} (found with {@link SyncStores}), opened on
         * {@link #build()} with {@code settings} and closed by {@link TidemarkClient#close()}.
         */
        public Builder store(String name, Map<String, String> settings) {
            this.storeName = requireNonNull(name, "name is null");
            this.storeSettings = Map.copyOf(requireNonNull(settings, "settings is null"));
            this.store = null;
            return this;
        }

        /** Sync into an open store; the caller keeps it and closes it after closing the client. */
        public Builder store(SyncStore store) {
            this.store = requireNonNull(store, "store is null");
            this.storeName = null;
            return this;
        }

        /** The entity types wanted. Default: every type the token permits. */
        public Builder subscriptions(Collection<String> entityTypes) {
            subscriptions.clear();
            subscriptions.addAll(requireNonNull(entityTypes, "entityTypes is null"));
            return this;
        }

        /** Adds a listener; any number may be added. */
        public Builder listener(SyncListener listener) {
            listeners.add(requireNonNull(listener, "listener is null"));
            return this;
        }

        /** When the position moves. Default {@link AckMode#AFTER_COMMIT}; {@link AckMode#EAGER} is unsafe. */
        public Builder ackMode(AckMode ackMode) {
            this.ackMode = requireNonNull(ackMode, "ackMode is null");
            return this;
        }

        /**
         * Reconnect delays, such as {@code ReconnectBackoff.of(initial, max).withJitter(0.2)}. Default
         * {@link #DEFAULT_BACKOFF}: 250 ms doubling up to 30 s, jitter 0.5.
         */
        public Builder reconnectBackoff(ReconnectBackoff backoff) {
            this.backoff = requireNonNull(backoff, "backoff is null");
            return this;
        }

        /** Reconnect delays from {@code initial} doubling up to {@code max}, with the default jitter. */
        public Builder reconnectBackoff(Duration initial, Duration max) {
            return reconnectBackoff(ReconnectBackoff.of(initial, max));
        }

        /** The limit for opening a connection, including the WebSocket upgrade. Default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = requireNonNull(timeout, "timeout is null");
            return this;
        }

        /**
         * How often an idle connection is pinged; one that reads nothing for three intervals is
         * dropped and re-opened. Default 30 s.
         */
        public Builder keepAliveInterval(Duration interval) {
            this.keepAliveInterval = requireNonNull(interval, "interval is null");
            return this;
        }

        /** The largest message accepted from the server. Default 64 MiB. */
        public Builder maxMessageBytes(int bytes) {
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * How many received messages may wait for the store before the client stops reading from the
         * network (the server then waits too). Default 16.
         */
        public Builder receiveBuffer(int messages) {
            this.receiveBuffer = messages;
            return this;
        }

        /** The TLS context for {@code wss://}. Default: the JDK's default trust store. */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = requireNonNull(sslContext, "sslContext is null");
            return this;
        }

        /**
         * Whether to offer {@code permessage-deflate} (RFC 7692) on the upgrade. Used when the server agrees (its
         * {@code tidemark.http.compression}); otherwise the connection is uncompressed as usual. It saves about
         * 80-90% of the bytes of a catch-up for a little CPU on both sides: worth it over slow or metered links.
         * A compressed message that inflates beyond {@link #maxMessageBytes} closes the connection (1009). Default off.
         */
        public Builder compression(boolean compression) {
            this.compression = compression;
            return this;
        }

        /**
         * Checks the settings and opens the store when given by name.
         *
         * @throws IllegalArgumentException for a missing or bad setting, saying which — among them a
         *     client id that differs from the one the token names
         * @throws SyncStoreException when the store cannot be opened
         */
        public TidemarkClient build() {
            EngineConfig config = engineConfig();
            if (store == null && storeName == null) {
                throw new IllegalArgumentException("no store given: call store(\"sqlite\", Map.of(\"path\", \"data.db\"))"
                        + " or store(SyncStore); available stores: " + SyncStores.available());
            }
            return new TidemarkClient(this, config);
        }

        EngineConfig engineConfig() {
            if (serverUris.isEmpty()) {
                throw new IllegalArgumentException("no server URL given: call serverUrl(\"ws://HOST:PORT/sync\")");
            }
            Optional<String> tokenClientId = ClientIdentity.fromToken(token);
            if (clientId != null && tokenClientId.isPresent() && !tokenClientId.get().equals(clientId)) {
                throw new IllegalArgumentException("the client id '" + clientId + "' differs from the one the token names, '"
                        + tokenClientId.get() + "': leave the client id out (it is taken from the token), or use a token"
                        + " minted for '" + clientId + "'");
            }
            String id = clientId != null ? clientId : tokenClientId.orElse(null);
            AckPolicy acks = switch (ackMode) {
                case AFTER_COMMIT -> AckPolicy.afterCommit();
                case EAGER -> AckPolicy.eager();
            };
            return new EngineConfig(serverUris, token, id, subscriptions, acks, backoff::delay, connectTimeout,
                    keepAliveInterval, maxMessageBytes, receiveBuffer, sslContext, compression);
        }

        ReconnectBackoff backoff() {
            return backoff;
        }

        Map<String, String> storeSettings() {
            return new LinkedHashMap<>(storeSettings);
        }

        String storeName() {
            return storeName;
        }
    }
}
