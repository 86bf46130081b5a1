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
 * @param serverUri the server's sync endpoint, {@code ws://} or {@code wss://}
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
 */
public record EngineConfig(URI serverUri, String token, String clientId, List<String> subscriptions, AckPolicy acks,
                           ReconnectDelays backoff, Duration connectTimeout, Duration keepAliveInterval, int maxMessageBytes,
                           int receiveBuffer, SSLContext sslContext) {

    public EngineConfig {
        requireNonNull(serverUri, "serverUri is null");
        String scheme = serverUri.getScheme() == null ? "" : serverUri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("the server URL must start with ws:// or wss://, such as"
                    + " ws://localhost:8080/sync; got '" + serverUri + "'");
        }
        if (serverUri.getHost() == null) {
            throw new IllegalArgumentException("the server URL '" + serverUri + "' has no host");
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

    private static void positive(Duration duration, String name) {
        requireNonNull(duration, name + " is null");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + duration);
        }
    }

    /** True for {@code wss://}. */
    public boolean tls() {
        return serverUri.getScheme().equalsIgnoreCase("wss");
    }

    /** The port of {@link #serverUri}, defaulting by scheme. */
    public int port() {
        int port = serverUri.getPort();
        return port != -1 ? port : tls() ? 443 : 80;
    }
}
