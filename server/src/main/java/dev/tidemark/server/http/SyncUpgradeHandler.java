package dev.tidemark.server.http;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.ProtocolException;
import dev.tidemark.server.auth.Authenticator;
import dev.tidemark.server.auth.ClientGrant;
import dev.tidemark.server.auth.TokenException;
import dev.tidemark.server.hub.ConnectionRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits requests for {@code /sync}: checks the token ({@code Authorization: Bearer} header, else the
 * {@code token} query parameter) and reads the legacy query parameters, then passes the request on to the
 * WebSocket upgrade with the {@link ConnectionRequest} attached to the channel. A bad token gets 401, any
 * other path 404. Never logs a token or the secret.
 */
@ChannelHandler.Sharable
final class SyncUpgradeHandler extends ChannelInboundHandlerAdapter {

    static final String PATH = "/sync";
    static final AttributeKey<ConnectionRequest> REQUEST = AttributeKey.valueOf("tidemark.connectionRequest");

    private static final Logger log = LoggerFactory.getLogger(SyncUpgradeHandler.class);
    private static final String BEARER = "Bearer ";

    private final Authenticator authenticator;
    private final Duration helloTimeout;
    private final Map<TokenException.Reason, Counter> failures = new EnumMap<>(TokenException.Reason.class);

    SyncUpgradeHandler(Authenticator authenticator, Duration helloTimeout, MeterRegistry meters) {
        this.authenticator = authenticator;
        this.helloTimeout = helloTimeout;
        for (TokenException.Reason reason : TokenException.Reason.values()) {
            failures.put(reason, Counter.builder("tidemark.auth.failures")
                    .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
                    .description("refused sync connections").register(meters));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        if (!uri.path().equals(PATH)) {
            try {
                HttpResponses.reject(ctx, request, HttpResponseStatus.NOT_FOUND,
                        "not found: the endpoints are /sync (WebSocket), /healthz, /readyz and /metrics");
            } finally {
                request.release();
            }
            return;
        }
        Optional<ConnectionRequest> admitted = admit(ctx, request, uri);
        if (admitted.isEmpty()) {
            request.release();
            return;
        }
        ctx.channel().attr(REQUEST).set(admitted.get());
        ctx.fireChannelRead(request);
    }

    private Optional<ConnectionRequest> admit(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        ClientGrant grant;
        try {
            grant = authenticator.authenticate(token(request, uri));
        } catch (TokenException e) {
            failures.get(e.reason()).increment();
            log.warn("refused connection from {}: {}", ctx.channel().remoteAddress(), e.getMessage());
            HttpResponses.send(ctx, request, HttpResponseStatus.UNAUTHORIZED, HttpResponses.TEXT,
                    "unauthorized: " + e.getMessage() + "\n", false);
            return Optional.empty();
        }
        String clientId = first(uri, "clientId");
        if (clientId == null) {
            return Optional.of(new ConnectionRequest(grant, Optional.empty(), helloTimeout));
        }
        if (!grant.permitsClient(clientId)) {
            log.warn("refused legacy connection from {}: client id '{}' is not the token's '{}'",
                    ctx.channel().remoteAddress(), clientId, grant.clientId());
            HttpResponses.reject(ctx, request, HttpResponseStatus.FORBIDDEN,
                    "forbidden: the token is for client '" + grant.clientId() + "', not '" + clientId + "'");
            return Optional.empty();
        }
        String lsnText = first(uri, "lsn");
        Lsn lsn;
        try {
            lsn = lsnText == null ? Lsn.ZERO : Lsn.parse(lsnText);
        } catch (ProtocolException e) {
            HttpResponses.reject(ctx, request, HttpResponseStatus.BAD_REQUEST, "bad request: query parameter lsn: "
                    + e.getMessage());
            return Optional.empty();
        }
        if (clientId.isEmpty() || clientId.length() > 256) {
            HttpResponses.reject(ctx, request, HttpResponseStatus.BAD_REQUEST,
                    "bad request: query parameter clientId must be 1 to 256 characters");
            return Optional.empty();
        }
        return Optional.of(new ConnectionRequest(grant,
                Optional.of(new ConnectionRequest.LegacyStart(clientId, lsn)), helloTimeout));
    }

    private static String token(FullHttpRequest request, QueryStringDecoder uri) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return header.substring(BEARER.length()).trim();
        }
        return first(uri, "token");
    }

    private static String first(QueryStringDecoder uri, String name) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
