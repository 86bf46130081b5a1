package dev.tidemark.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.Authenticator;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.hub.CloseCodes;
import dev.tidemark.server.hub.ConnectionRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Endpoint handlers, one job each")
class HandlersTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    private static FullHttpRequest get(String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    private static FullHttpResponse response(EmbeddedChannel channel) {
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).isNotNull();
        response.release();
        return response;
    }

    @Test
    @DisplayName("health answers /healthz and /readyz, passes the rest on, and releases what it answered")
    void health() {
        boolean[] ready = {false};
        EmbeddedChannel channel = new EmbeddedChannel(new HealthHandler(() -> ready[0]));
        FullHttpRequest health = get("/healthz");
        channel.writeInbound(health);
        assertThat(response(channel).status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(health.refCnt()).isZero();
        channel.writeInbound(get("/readyz"));
        assertThat(response(channel).status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        ready[0] = true;
        channel.writeInbound(get("/readyz"));
        assertThat(response(channel).status()).isEqualTo(HttpResponseStatus.OK);
        FullHttpRequest other = get("/sync");
        channel.writeInbound(other);
        assertThat((Object) channel.readInbound()).isSameAs(other);
        other.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    @DisplayName("the upgrade guard answers 401 without a valid token, 404 off /sync, and attaches the request otherwise")
    void upgradeGuard() {
        Authenticator authenticator = new Authenticator(AuthConfig.withSecret(SECRET), Clock.systemUTC());
        SyncUpgradeHandler handler = new SyncUpgradeHandler(authenticator, Duration.ofSeconds(5), new SimpleMeterRegistry());
        EmbeddedChannel channel = new EmbeddedChannel(handler);

        FullHttpRequest noToken = get("/sync");
        channel.writeInbound(noToken);
        FullHttpResponse refused = response(channel);
        assertThat(refused.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(noToken.refCnt()).isZero();

        channel = new EmbeddedChannel(handler);
        channel.writeInbound(get("/elsewhere"));
        assertThat(response(channel).status()).isEqualTo(HttpResponseStatus.NOT_FOUND);

        channel = new EmbeddedChannel(handler);
        String token = new TokenSigner(SECRET, Clock.systemUTC()).mint("c1", Set.of("orders"), Duration.ofMinutes(1));
        FullHttpRequest legacy = get("/sync?clientId=c1&lsn=0/16&token=" + token);
        channel.writeInbound(legacy);
        assertThat((Object) channel.readInbound()).isSameAs(legacy);
        ConnectionRequest request = channel.attr(SyncUpgradeHandler.REQUEST).get();
        assertThat(request.grant().clientId()).isEqualTo("c1");
        assertThat(request.legacy()).hasValueSatisfying(start -> assertThat(start.lsn().toString()).isEqualTo("0/16"));
        legacy.release();

        channel = new EmbeddedChannel(handler);
        channel.writeInbound(get("/sync?clientId=c1&lsn=zz&token=" + token));
        assertThat(response(channel).status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
    }

    @Test
    @DisplayName("binary frames and too-long messages close with 1003 and 1009; text passes on")
    void frameGuards() {
        EmbeddedChannel channel = new EmbeddedChannel(new MessageTooBigHandler(1024), new BinaryFrameHandler());
        TextWebSocketFrame text = new TextWebSocketFrame("{}");
        channel.writeInbound(text);
        assertThat((Object) channel.readInbound()).isSameAs(text);
        text.release();
        BinaryWebSocketFrame binary = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1}));
        channel.writeInbound(binary);
        assertThat(binary.refCnt()).isZero();
        CloseWebSocketFrame close = channel.readOutbound();
        assertThat(close.statusCode()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
        close.release();
        assertThat(channel.isOpen()).isFalse();

        EmbeddedChannel big = new EmbeddedChannel(new MessageTooBigHandler(1024));
        big.pipeline().fireExceptionCaught(new TooLongFrameException("too long"));
        CloseWebSocketFrame tooBig = big.readOutbound();
        assertThat(tooBig.statusCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        tooBig.release();
    }

    @Test
    @DisplayName("keep-alive pings an upgraded connection while silent and closes it with 1001 after the idle timeout")
    void keepAlive() {
        EmbeddedChannel channel = new EmbeddedChannel(new KeepAliveHandler(Duration.ofSeconds(1), Duration.ofSeconds(3)));
        channel.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete("/sync",
                new io.netty.handler.codec.http.DefaultHttpHeaders(), null));
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        PingWebSocketFrame ping = channel.readOutbound();
        assertThat(ping).isNotNull();
        ping.release();
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        ((PingWebSocketFrame) channel.readOutbound()).release();
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        CloseWebSocketFrame close = channel.readOutbound();
        assertThat(close.statusCode()).isEqualTo(CloseCodes.GOING_AWAY);
        close.release();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("the connection limit answers 503 above the limit and counts closed connections out")
    void connectionLimit() {
        ConnectionLimitHandler limit = new ConnectionLimitHandler(1, new SimpleMeterRegistry());
        EmbeddedChannel first = new EmbeddedChannel(limit);
        EmbeddedChannel second = new EmbeddedChannel(limit);
        FullHttpRequest request = get("/healthz");
        second.writeInbound(request);
        assertThat(response(second).status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(request.refCnt()).isZero();
        second.close();
        assertThat(limit.open()).isEqualTo(1);
        FullHttpRequest passes = get("/healthz");
        first.writeInbound(passes);
        assertThat((Object) first.readInbound()).isSameAs(passes);
        passes.release();
    }
}
