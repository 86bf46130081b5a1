package dev.tidemark.server.http;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.ProtocolException;
import dev.tidemark.protocol.SourceVerifyResult;
import dev.tidemark.server.auth.Authenticator;
import dev.tidemark.server.auth.ClientGrant;
import dev.tidemark.server.auth.TokenException;
import dev.tidemark.server.hub.Hub;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /admin/clients/{clientId}/verify-source}: an operator's verify of a connected client against the
 * source ({@code tidemark audit}). Answers 200 with the {@code source_verify_result} message as JSON once the
 * verify ended, 404 when the client is not connected here. With auth on, the request must carry
 * {@code Authorization: Bearer} with a token of the operator's client id {@value #OPERATOR_CLIENT_ID}, signed
 * with the server's secret ({@code tidemark token --client-id tidemark-operator}); 401 without a valid one, 403
 * for a token of another client. Passes every other request on.
 */
@ChannelHandler.Sharable
final class AdminHandler extends ChannelInboundHandlerAdapter {

    /** The client id an operator token names. */
    static final String OPERATOR_CLIENT_ID = "tidemark-operator";
    static final String PREFIX = "/admin/clients/";
    static final String SUFFIX = "/verify-source";
    private static final String JSON = "application/json";
    private static final String BEARER = "Bearer ";

    private final Hub hub;
    private final Authenticator authenticator;
    private final MessageCodec codec = new MessageCodec();

    AdminHandler(Hub hub, Authenticator authenticator) {
        this.hub = requireNonNull(hub, "hub is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String path = uri.path();
            if (path.startsWith("/admin/")) {
                handle(ctx, request, uri, path);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, String path) {
        boolean answered = false;
        try {
            if (!path.startsWith(PREFIX) || !path.endsWith(SUFFIX) || path.length() <= PREFIX.length() + SUFFIX.length()) {
                HttpResponses.reject(ctx, request, HttpResponseStatus.NOT_FOUND, "no such admin endpoint: use POST "
                        + PREFIX + "{clientId}" + SUFFIX);
                return;
            }
            if (!request.method().equals(HttpMethod.POST)) {
                HttpResponses.reject(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "use POST " + path);
                return;
            }
            Optional<String> refused = refusal(request);
            if (refused.isPresent()) {
                HttpResponses.reject(ctx, request, refused.get().startsWith("403")
                        ? HttpResponseStatus.FORBIDDEN : HttpResponseStatus.UNAUTHORIZED, refused.get().substring(4));
                return;
            }
            String clientId = QueryStringDecoder.decodeComponent(
                    path.substring(PREFIX.length(), path.length() - SUFFIX.length()));
            List<String> types = new ArrayList<>();
            for (String value : uri.parameters().getOrDefault("types", List.of())) {
                for (String type : value.split(",")) {
                    if (!type.isBlank()) {
                        types.add(type.trim());
                    }
                }
            }
            Optional<CompletableFuture<SourceVerifyResult>> audit;
            try {
                audit = hub.auditAgainstSource(clientId, types);
            } catch (ProtocolException e) {
                HttpResponses.reject(ctx, request, HttpResponseStatus.BAD_REQUEST, e.getMessage());
                return;
            }
            if (audit.isEmpty()) {
                HttpResponses.reject(ctx, request, HttpResponseStatus.NOT_FOUND, "client '" + clientId
                        + "' is not connected to this server: audit it while it is connected");
                return;
            }
            answered = true;
            audit.get().whenComplete((result, failure) -> ctx.executor().execute(() -> {
                try {
                    if (failure != null) {
                        HttpResponses.send(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, HttpResponses.TEXT,
                                "the audit failed: " + failure.getMessage() + "\n", false);
                    } else {
                        HttpResponses.send(ctx, request, HttpResponseStatus.OK, JSON, codec.encode(result) + "\n", true);
                    }
                } finally {
                    request.release();
                }
            }));
        } finally {
            if (!answered) {
                request.release();
            }
        }
    }

    /** Empty when the request may audit; otherwise "401 why" or "403 why". */
    private Optional<String> refusal(FullHttpRequest request) {
        if (!authenticator.enabled()) {
            return Optional.empty();
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        String token = header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? header.substring(BEARER.length()).trim() : null;
        ClientGrant grant;
        try {
            grant = authenticator.authenticate(token);
        } catch (TokenException e) {
            return Optional.of("401 " + e.getMessage() + ": send Authorization: Bearer with an operator token"
                    + " (tidemark token --client-id " + OPERATOR_CLIENT_ID + ")");
        }
        if (!grant.boundClientId().map(OPERATOR_CLIENT_ID::equals).orElse(false)) {
            return Optional.of("403 the token is not an operator token: mint one with tidemark token --client-id "
                    + OPERATOR_CLIENT_ID);
        }
        return Optional.empty();
    }
}
