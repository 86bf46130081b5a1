package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;

/**
 * Everything a {@link SyncEngine} needs besides its store, checked.
 *
 * @param serverUris the server nodes' sync endpoints, {@code ws://} or {@code wss://}, in the order tried: the
 *     client connects to the first and, when a connection fails or is lost, moves on to the next (round robin)
 * @param token the bearer token sent on the upgrade request, or {@code null} to send none
 * @param clientId the client id to use, or {@code null} to use the one kept in the store
 * @param subscriptions the entity types wanted; empty for every type the token permits
 * @param acks when the position moves and what the server hears about it
 * @param backoff the waits before reconnects
 * @param connectTimeout the limit for opening a connection including the WebSocket upgrade
 * @param keepAliveInterval how often to ping an idle connection; a connection that reads nothing for
 *     three intervals is considered dead
 * @param maxMessageBytes the largest message accepted from the server
 * @param receiveBuffer how many received messages may wait for the applier before the transport
 *     stops reading from the socket
 * @param sslContext the TLS context for {@code wss://}, or {@code null} for the JDK's default trust
 * @param compression offer {@code permessage-deflate} on the upgrade; a server message that inflates beyond
 *     {@code maxMessageBytes} closes the connection with 1009
 */
public record EngineConfig(List<URI> serverUris, String token, String clientId, List<String> subscriptions, AckPolicy acks,
                           ReconnectDelays backoff, Duration connectTimeout, Duration keepAliveInterval, int maxMessageBytes,
                           int receiveBuffer, SSLContext sslContext, boolean compression) {

    public EngineConfig {
        requireNonNull(serverUris, "serverUris is null");
        if (serverUris.isEmpty()) {
            throw new IllegalArgumentException("no server URL given: name at least one, such as ws://localhost:8080/sync");
        }
        serverUris = List.copyOf(serverUris);
        for (URI serverUri : serverUris) {
            checkServerUri(serverUri);
        }
        if (new java.util.HashSet<>(serverUris).size() != serverUris.size()) {
            throw new IllegalArgumentException("the server URLs " + serverUris + " name a node twice: list each once");
        }
        if (token != null && (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
            throw new IllegalArgumentException("the token must be printable ASCII without spaces");
        }
        if (clientId != null && (clientId.isEmpty() || clientId.length() > 256)) {
            throw new IllegalArgumentException("the client id must be 1 to 256 characters");
        }
        subscriptions = List.copyOf(requireNonNull(subscriptions, "subscriptions is null"));
        for (String type : subscriptions) {
            if (type.isEmpty() || type.length() > 256) {
                throw new IllegalArgumentException("an entity type to subscribe to must be 1 to 256 characters");
            }
        }
        requireNonNull(acks, "acks is null");
        requireNonNull(backoff, "backoff is null");
        positive(connectTimeout, "connectTimeout");
        positive(keepAliveInterval, "keepAliveInterval");
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 1024, not " + maxMessageBytes);
        }
        if (receiveBuffer < 1) {
            throw new IllegalArgumentException("receiveBuffer must be at least 1, not " + receiveBuffer);
        }
    }

    /** A usable sync endpoint: {@code ws://} or {@code wss://} with a host. */
    static void checkServerUri(URI serverUri) {
        requireNonNull(serverUri, "a server URL is null");
        String scheme = serverUri.getScheme() == null ? "" : serverUri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("the server URL must start with ws:// or wss://, such as"
                    + " ws://localhost:8080/sync; got '" + serverUri + "'");
        }
        if (serverUri.getHost() == null) {
            throw new IllegalArgumentException("the server URL '" + serverUri + "' has no host");
        }
    }

    private static void positive(Duration duration, String name) {
        requireNonNull(duration, name + " is null");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + duration);
        }
    }

    /** A config without compression. */
    public EngineConfig(List<URI> serverUris, String token, String clientId, List<String> subscriptions, AckPolicy acks,
                        ReconnectDelays backoff, Duration connectTimeout, Duration keepAliveInterval,
                        int maxMessageBytes, int receiveBuffer, SSLContext sslContext) {
        this(serverUris, token, clientId, subscriptions, acks, backoff, connectTimeout, keepAliveInterval,
                maxMessageBytes, receiveBuffer, sslContext, false);
    }

    /** A config for one server node. */
    public EngineConfig(URI serverUri, String token, String clientId, List<String> subscriptions, AckPolicy acks,
                        ReconnectDelays backoff, Duration connectTimeout, Duration keepAliveInterval,
                        int maxMessageBytes, int receiveBuffer, SSLContext sslContext) {
        this(List.of(requireNonNull(serverUri, "serverUri is null")), token, clientId, subscriptions, acks, backoff,
                connectTimeout, keepAliveInterval, maxMessageBytes, receiveBuffer, sslContext);
    }

    /** The first server URL: the one tried first. */
    public URI serverUri() {
        return serverUris.get(0);
    }

    /** True for {@code wss://} as the first URL. */
    public boolean tls() {
        return tls(serverUri());
    }

    /** The port of the first URL, defaulting by scheme. */
    public int port() {
        return port(serverUri());
    }

    /** True when any server URL is {@code wss://}: the client needs TLS. */
    public boolean anyTls() {
        return serverUris.stream().anyMatch(EngineConfig::tls);
    }

    /** True for {@code wss://}. */
    public static boolean tls(URI serverUri) {
        return serverUri.getScheme().equalsIgnoreCase("wss");
    }

    /** The port of {@code serverUri}, defaulting by scheme. */
    public static int port(URI serverUri) {
        int port = serverUri.getPort();
        return port != -1 ? port : tls(serverUri) ? 443 : 80;
    }
}
