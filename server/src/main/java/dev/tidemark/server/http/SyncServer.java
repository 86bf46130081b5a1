package dev.tidemark.server.http;

import static java.util.Objects.requireNonNull;

import dev.tidemark.server.auth.Authenticator;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.hub.CloseCodes;
import dev.tidemark.server.hub.Hub;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync server: the HTTP/WebSocket endpoint ({@code /sync}, {@code /healthz}, {@code /readyz},
 * {@code /metrics}) in front of a {@link Hub}.
 *
 * <pre>{@code
 * try (SyncServer server = SyncServer.create(config, changeLog, changeFeed, new PrometheusMeterRegistry(...)).start()) {
 *     int port = server.port();
 * }
 * }</pre>
 */
public final class SyncServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SyncServer.class);

    private final HttpConfig config;
    private final Hub hub;
    private final boolean ownsHub;
    private final Authenticator authenticator;
    private final MeterRegistry meters;
    private EventLoopGroup acceptor;
    private EventLoopGroup workers;
    private Channel serverChannel;
    private ChannelGroup connections;
    private int port = -1;
    private boolean accepting;

    /**
     * A server in front of an existing hub (the Guice wiring). The caller starts and closes the hub.
     */
    public SyncServer(HttpConfig config, Hub hub, Authenticator authenticator, MeterRegistry meters) {
        this(config, hub, false, authenticator, meters);
    }

    private SyncServer(HttpConfig config, Hub hub, boolean ownsHub, Authenticator authenticator, MeterRegistry meters) {
        this.config = requireNonNull(config, "config is null");
        this.hub = requireNonNull(hub, "hub is null");
        this.ownsHub = ownsHub;
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.meters = requireNonNull(meters, "meters is null");
    }

    /**
     * A server with its own hub over {@code changeLog} and {@code feed}; {@link #start()} starts both and
     * {@link #close()} stops both. {@code /metrics} serves {@code meters} when it is (or holds) a
     * {@link PrometheusMeterRegistry}. Give each server its own registry: the hub's gauges hold the hub, and a
     * second server on the same registry would find the first one's gauges already registered.
     */
    public static SyncServer create(SyncServerConfig config, ChangeLog changeLog, ChangeFeed feed, MeterRegistry meters) {
        return create(config, changeLog, feed, meters, java.util.Optional.empty());
    }

    /** Like {@link #create(SyncServerConfig, ChangeLog, ChangeFeed, MeterRegistry)}, resyncing clients from {@code snapshots}. */
    public static SyncServer create(SyncServerConfig config, ChangeLog changeLog, ChangeFeed feed, MeterRegistry meters,
                                    java.util.Optional<dev.tidemark.server.feed.SnapshotSource> snapshots) {
        Clock clock = Clock.systemUTC();
        Hub hub = new Hub(config.hub(), changeLog, feed, meters, clock, snapshots);
        return new SyncServer(config.http(), hub, true, new Authenticator(config.auth(), clock), meters);
    }

    /** The hub behind this server. */
    public Hub hub() {
        return hub;
    }

    /**
     * Binds and starts serving.
     *
     * @throws PortInUseException when the port is taken
     * @throws IllegalStateException when the port cannot be bound for another reason
     */
    public synchronized SyncServer start() {
        bind();
        if (!accepting) {
            if (ownsHub) {
                hub.start();
            }
            accepting = true;
            serverChannel.config().setAutoRead(true);
            log.info("sync endpoint listening on {}://{}:{}{}", config.tlsEnabled() ? "wss" : "ws", config.bindAddress(),
                    port, SyncUpgradeHandler.PATH);
        }
        return this;
    }

    /**
     * Binds the port without accepting connections yet (they wait in the backlog until {@link #start()}),
     * so that a server can own its port before it starts anything that is costly to undo.
     *
     * @throws PortInUseException when the port is taken
     * @throws IllegalStateException when the port cannot be bound for another reason
     */
    public synchronized SyncServer bind() {
        if (serverChannel != null) {
            return this;
        }
        SslContext tls = config.tlsEnabled() ? TlsContexts.fromPem(config.tlsCertificate(), config.tlsPrivateKey()) : null;
        connections = new DefaultChannelGroup("tidemark-sync", GlobalEventExecutor.INSTANCE);
        acceptor = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), NioIoHandler.newFactory());
        SyncChannelInitializer pipeline = new SyncChannelInitializer(config, tls, hub, authenticator, meters,
                prometheus(meters));
        ChannelGroup group = connections;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.AUTO_READ, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeBufferLowWaterMark(), config.writeBufferHighWaterMark()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        group.add(channel);
                        channel.pipeline().addLast(pipeline);
                    }
                });
        try {
            serverChannel = bootstrap.bind(config.bindAddress(), config.port()).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the bind's checked BindException as it is
            shutdownGroups();
            serverChannel = null;
            if (e instanceof java.net.BindException) {
                throw new PortInUseException(config.bindAddress(), config.port(), e);
            }
            throw new IllegalStateException("cannot listen on " + config.bindAddress() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
        port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        return this;
    }

    /** The port bound (useful with port 0). */
    public synchronized int port() {
        if (serverChannel == null) {
            throw new IllegalStateException("the server is not bound");
        }
        return port;
    }

    /** Stops accepting, closes every connection with 1001, stops the hub when this server owns it. */
    @Override
    public synchronized void close() {
        if (serverChannel == null) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        connections.writeAndFlush(new CloseWebSocketFrame(CloseCodes.GOING_AWAY, "server shutting down"),
                channel -> channel.isActive() && channel.pipeline().get(WebSocketFrameEncoder.class) != null);
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownGroups();
        serverChannel = null;
        if (ownsHub && accepting) {
            hub.close();
        }
        accepting = false;
        log.info("sync endpoint on port {} stopped", port);
    }

    private void shutdownGroups() {
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static PrometheusMeterRegistry prometheus(MeterRegistry meters) {
        if (meters instanceof PrometheusMeterRegistry prometheus) {
            return prometheus;
        }
        if (meters instanceof CompositeMeterRegistry composite) {
            for (MeterRegistry member : composite.getRegistries()) {
                PrometheusMeterRegistry found = prometheus(member);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

}
