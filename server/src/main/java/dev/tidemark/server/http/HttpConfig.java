package dev.tidemark.server.http;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the HTTP/WebSocket endpoint: where it listens, its limits, keep-alive and TLS.
 *
 * @param bindAddress the address to listen on ({@code 0.0.0.0} for every interface)
 * @param port the TCP port; {@code 0} picks a free one (see {@link SyncServer#port()})
 * @param maxFrameBytes largest WebSocket frame payload a client may send; above it: close 1009
 * @param maxMessageBytes largest message a client may send (fragments joined); above it: close 1009
 * @param handshakeTimeout time for the WebSocket upgrade, and then for the client's {@code hello}
 * @param idleTimeout a connection from which nothing (not even a pong) arrived for this long is closed
 * @param pingInterval a connection silent for this long is pinged
 * @param maxConnections connections above this get HTTP 503
 * @param writeBufferHighWaterMark a connection with more bytes waiting than this is not written to...
 * @param writeBufferLowWaterMark ...until they drop below this
 * @param ioThreads event-loop threads; {@code 0} for Netty's default (twice the cores)
 * @param tlsCertificate PEM certificate chain for {@code wss://}, or {@code null} for plain {@code ws://}
 * @param tlsPrivateKey PEM (PKCS#8) private key of the certificate, or {@code null}
 * @param compression negotiate {@code permessage-deflate} (RFC 7692) with clients that offer it; clients that do not
 *     offer it are served uncompressed either way. A compressed message that inflates beyond {@code maxMessageBytes}
 *     closes the connection with 1009
 */
public record HttpConfig(String bindAddress, int port, int maxFrameBytes, int maxMessageBytes,
                         Duration handshakeTimeout, Duration idleTimeout, Duration pingInterval,
                         int maxConnections, int writeBufferHighWaterMark, int writeBufferLowWaterMark,
                         int ioThreads, Path tlsCertificate, Path tlsPrivateKey, boolean compression) {

    public HttpConfig {
        requireNonNull(bindAddress, "bindAddress is null");
        if (bindAddress.isBlank()) {
            throw new IllegalArgumentException("bindAddress is blank: use 0.0.0.0 for every interface");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
        }
        atLeast(maxFrameBytes, 1024, "maxFrameBytes");
        atLeast(maxMessageBytes, maxFrameBytes, "maxMessageBytes (at least maxFrameBytes)");
        positive(handshakeTimeout, "handshakeTimeout");
        positive(idleTimeout, "idleTimeout");
        positive(pingInterval, "pingInterval");
        if (pingInterval.compareTo(idleTimeout) >= 0) {
            throw new IllegalArgumentException("pingInterval (" + pingInterval + ") must be shorter than idleTimeout ("
                    + idleTimeout + "), or idle clients are closed before they are pinged");
        }
        atLeast(maxConnections, 1, "maxConnections");
        atLeast(writeBufferLowWaterMark, 1024, "writeBufferLowWaterMark");
        atLeast(writeBufferHighWaterMark, writeBufferLowWaterMark, "writeBufferHighWaterMark (at least the low mark)");
        atLeast(ioThreads, 0, "ioThreads");
        if ((tlsCertificate == null) != (tlsPrivateKey == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and a private key (PEM files), or neither");
        }
    }

    private static void atLeast(long value, long min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }

    private static void positive(Duration value, String name) {
        requireNonNull(value, name + " is null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /** Settings without compression (the default). */
    public HttpConfig(String bindAddress, int port, int maxFrameBytes, int maxMessageBytes, Duration handshakeTimeout,
                      Duration idleTimeout, Duration pingInterval, int maxConnections, int writeBufferHighWaterMark,
                      int writeBufferLowWaterMark, int ioThreads, Path tlsCertificate, Path tlsPrivateKey) {
        this(bindAddress, port, maxFrameBytes, maxMessageBytes, handshakeTimeout, idleTimeout, pingInterval,
                maxConnections, writeBufferHighWaterMark, writeBufferLowWaterMark, ioThreads, tlsCertificate,
                tlsPrivateKey, false);
    }

    /** True when the endpoint serves {@code wss://}. */
    public boolean tlsEnabled() {
        return tlsCertificate != null;
    }

    /** The TLS files, when TLS is on. */
    public Optional<Path> certificate() {
        return Optional.ofNullable(tlsCertificate);
    }

    public static HttpConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().bindAddress(bindAddress).port(port).maxFrameBytes(maxFrameBytes)
                .maxMessageBytes(maxMessageBytes).handshakeTimeout(handshakeTimeout).idleTimeout(idleTimeout)
                .pingInterval(pingInterval).maxConnections(maxConnections)
                .writeBufferHighWaterMark(writeBufferHighWaterMark).writeBufferLowWaterMark(writeBufferLowWaterMark)
                .ioThreads(ioThreads).tls(tlsCertificate, tlsPrivateKey).compression(compression);
    }

    /** Builds an {@link HttpConfig}; every setting starts at its default. */
    public static final class Builder {
        private String bindAddress = "0.0.0.0";
        private int port = 8080;
        private int maxFrameBytes = 64 * 1024;
        private int maxMessageBytes = 256 * 1024;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration pingInterval = Duration.ofSeconds(20);
        private int maxConnections = 10_000;
        private int writeBufferHighWaterMark = 512 * 1024;
        private int writeBufferLowWaterMark = 256 * 1024;
        private int ioThreads;
        private Path tlsCertificate;
        private Path tlsPrivateKey;
        private boolean compression;

        private Builder() {}

        public Builder bindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder maxFrameBytes(int maxFrameBytes) {
            this.maxFrameBytes = maxFrameBytes;
            return this;
        }

        public Builder maxMessageBytes(int maxMessageBytes) {
            this.maxMessageBytes = maxMessageBytes;
            return this;
        }

        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        public Builder pingInterval(Duration pingInterval) {
            this.pingInterval = pingInterval;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder writeBufferHighWaterMark(int writeBufferHighWaterMark) {
            this.writeBufferHighWaterMark = writeBufferHighWaterMark;
            return this;
        }

        public Builder writeBufferLowWaterMark(int writeBufferLowWaterMark) {
            this.writeBufferLowWaterMark = writeBufferLowWaterMark;
            return this;
        }

        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        /** TLS from PEM files; both {@code null} for plain WebSocket. */
        public Builder tls(Path certificate, Path privateKey) {
            this.tlsCertificate = certificate;
            this.tlsPrivateKey = privateKey;
            return this;
        }

        /**
         * Whether {@code permessage-deflate} is negotiated with clients that offer it. Default off: each connection
         * compresses its own stream (the shared encoding of a live batch is compressed once per client) and holds
         * its own zlib state, so it pays only over slow or metered links.
         */
        public Builder compression(boolean compression) {
            this.compression = compression;
            return this;
        }

        public HttpConfig build() {
            return new HttpConfig(bindAddress, port, maxFrameBytes, maxMessageBytes, handshakeTimeout, idleTimeout,
                    pingInterval, maxConnections, writeBufferHighWaterMark, writeBufferLowWaterMark, ioThreads,
                    tlsCertificate, tlsPrivateKey, compression);
        }
    }
}
