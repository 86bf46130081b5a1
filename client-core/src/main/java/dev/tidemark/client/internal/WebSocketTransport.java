package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The transport stage's machinery (the seed's "worker"): one Netty event loop thread that owns every
 * connection, its timers and the engine's connection bookkeeping.
 */
final class WebSocketTransport {

    private final EngineConfig config;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final SslContext ssl;

    WebSocketTransport(EngineConfig config) {
        this.config = requireNonNull(config, "config is null");
        this.ssl = config.anyTls() ? sslContext(config) : null;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tidemark-transport"),
                NioIoHandler.newFactory());
        this.loop = group.next();
    }

    private static SslContext sslContext(EngineConfig config) {
        if (config.sslContext() != null) {
            return new JdkSslContext(config.sslContext(), true, null, IdentityCipherSuiteFilter.INSTANCE,
                    ApplicationProtocolConfig.DISABLED, ClientAuth.NONE, null, false);
        }
        try {
            return SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for " + config.serverUris() + ": " + e.getMessage(), e);
        }
    }

    SslContext ssl() {
        return ssl;
    }

    /** Opens a TCP connection to {@code server} and sets its pipeline up with {@code initializer}. */
    ChannelFuture connect(java.net.URI server, ClientChannelInitializer initializer) {
        return new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(initializer)
                .connect(server.getHost(), EngineConfig.port(server));
    }

    boolean inLoop() {
        return loop.inEventLoop();
    }

    /** True once {@link #shutdown} began: nothing new runs on the event loop. */
    boolean shuttingDown() {
        return loop.isShuttingDown();
    }

    void execute(Runnable task) {
        loop.execute(task);
    }

    /**
     * Runs {@code task} on the event loop and waits until it ran; runs it right here when called on the loop
     * or once the loop is shut down (nothing else runs on it then).
     */
    void runAndWait(Runnable task) {
        if (loop.inEventLoop() || loop.isShuttingDown()) {
            task.run();
            return;
        }
        try {
            loop.submit(task).syncUninterruptibly();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            task.run();
        }
    }

    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return loop.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops the event loop once its queued work is done, waiting at most {@code timeout}. */
    void shutdown(Duration timeout) {
        group.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(timeout.toMillis() + 1000);
    }
}
