package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.MessageCodec;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** Assembles a connection's pipeline: [TLS], HTTP, the WebSocket upgrade and frames, keep-alive, {@link TransportHandler}. */
final class ClientChannelInitializer extends ChannelInitializer<SocketChannel> {

    /** The upgrade response is small; anything larger is not a WebSocket server. */
    private static final int MAX_UPGRADE_RESPONSE_BYTES = 64 * 1024;
    /** zlib's default level for what the client sends (hello, acks: small). */
    private static final int COMPRESSION_LEVEL = 6;
    /** The server's deflate window the client asks for: RFC 7692's largest, its default. */
    private static final int MAX_WINDOW_BITS = 15;

    private final EngineConfig config;
    private final URI server;
    private final SslContext ssl;
    private final Function<SocketChannel, Connection> connections;
    private final MessageCodec codec;
    private final TransportEvents events;

    ClientChannelInitializer(EngineConfig config, URI server, SslContext ssl, Function<SocketChannel, Connection> connections,
                             MessageCodec codec, TransportEvents events) {
        this.config = requireNonNull(config, "config is null");
        this.server = requireNonNull(server, "server is null");
        this.ssl = ssl;
        this.connections = requireNonNull(connections, "connections is null");
        this.codec = requireNonNull(codec, "codec is null");
        this.events = requireNonNull(events, "events is null");
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        Connection connection = connections.apply(channel);
        ChannelPipeline pipeline = channel.pipeline();
        if (EngineConfig.tls(server)) {
            SslHandler tls = ssl.newHandler(channel.alloc(), server.getHost(), EngineConfig.port(server));
            SSLEngine engine = tls.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
            pipeline.addLast(tls);
        }
        pipeline.addLast(new HttpClientCodec());
        pipeline.addLast(new HttpObjectAggregator(MAX_UPGRADE_RESPONSE_BYTES));
        if (config.compression()) {
            // Offers permessage-deflate; on the server's acceptance puts the inflater and deflater after itself.
            // The inflater stops at maxMessageBytes per message: a bomb fails it (TransportHandler closes with 1009).
            pipeline.addLast(new WebSocketClientExtensionHandler(new PerMessageDeflateClientExtensionHandshaker(
                    COMPRESSION_LEVEL, ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
                    MAX_WINDOW_BITS, false, false, config.maxMessageBytes())));
        }
        pipeline.addLast(new WebSocketClientProtocolHandler(protocolConfig()));
        pipeline.addLast(new WebSocketFrameAggregator(config.maxMessageBytes()));
        long keepAlive = config.keepAliveInterval().toMillis();
        pipeline.addLast(new IdleStateHandler(3 * keepAlive, keepAlive, 0, TimeUnit.MILLISECONDS));
        pipeline.addLast(new TransportHandler(connection, codec, events, config.keepAliveInterval()));
    }

    private WebSocketClientProtocolConfig protocolConfig() {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (config.token() != null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + config.token());
        }
        return WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(server)
                .version(WebSocketVersion.V13)
                .customHeaders(headers)
                .maxFramePayloadLength(config.maxMessageBytes())
                // RSV1 marks compressed messages once permessage-deflate is negotiated.
                .allowExtensions(config.compression())
                // TransportHandler decodes text frames strictly, in the same pass that makes the string.
                .withUTF8Validator(false)
                .handleCloseFrames(false)
                .handshakeTimeoutMillis(config.connectTimeout().toMillis())
                .build();
    }
}
