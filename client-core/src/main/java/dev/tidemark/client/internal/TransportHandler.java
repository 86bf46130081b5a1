package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a connection's pipeline: turns text frames into protocol messages for the
 * engine, answers what is not a valid message with {@code error}, keeps an idle connection alive
 * with pings, and records why the connection ended (a close frame's code, a refused upgrade).
 */
final class TransportHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final Logger log = LoggerFactory.getLogger(TransportHandler.class);
    /** The copy of a frame up to this size goes to an array kept for the next frame; larger ones to their own. */
    private static final int KEPT_FRAME_BYTES = 1 << 20;

    private final Connection connection;
    private final MessageCodec codec;
    private final TransportEvents events;
    private final Duration keepAlive;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    /** Frames are copied here to be decoded (on the connection's one thread); grows up to {@link #KEPT_FRAME_BYTES}. */
    private byte[] frameBytes = new byte[0];

    TransportHandler(Connection connection, MessageCodec codec, TransportEvents events, Duration keepAlive) {
        this.connection = requireNonNull(connection, "connection is null");
        this.codec = requireNonNull(codec, "codec is null");
        this.events = requireNonNull(events, "events is null");
        this.keepAlive = requireNonNull(keepAlive, "keepAlive is null");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame text) {
            Message message;
            try {
                message = codec.decode(decode(text));
            } catch (ProtocolException e) {
                connection.send(ErrorMessage.of(e));
                events.malformed(connection, e.getMessage());
                return;
            }
            events.received(connection, message);
        } else if (frame instanceof CloseWebSocketFrame close) {
            int code = close.statusCode();
            String reason = close.reasonText();
            connection.closing("the server closed the connection with code " + code
                    + (reason == null || reason.isEmpty() ? "" : ": " + reason), refusedForGood(code));
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                    .addListener(done -> ctx.close());
        } else if (!(frame instanceof PingWebSocketFrame)) {
            String problem = "the server sent a " + frame.getClass().getSimpleName()
                    + "; the protocol is JSON text frames";
            connection.send(new ErrorMessage(ErrorCode.MALFORMED_MESSAGE, problem));
            events.malformed(connection, problem);
        }
    }

    /**
     * The frame's text, decoded strictly: bytes that are not UTF-8 are refused, not replaced. (This
     * replaces Netty's separate validation pass, which is switched off in the pipeline: one pass
     * instead of two on the transport's hot path.) The bytes are decoded from a heap array: the JDK's
     * decoder runs its fast loop only on one, and a frame read from the socket is in direct memory
     * (decoded where it lies, 89 KB of changes took 125 µs; copied first, 20 µs).
     */
    private String decode(TextWebSocketFrame frame) {
        ByteBuf content = frame.content();
        int length = content.readableBytes();
        ByteBuffer bytes;
        if (content.hasArray()) {
            bytes = ByteBuffer.wrap(content.array(), content.arrayOffset() + content.readerIndex(), length);
        } else {
            byte[] array = length <= KEPT_FRAME_BYTES ? keptArray(length) : new byte[length];
            content.getBytes(content.readerIndex(), array, 0, length);
            bytes = ByteBuffer.wrap(array, 0, length);
        }
        try {
            return utf8.decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "a text frame is not valid UTF-8 ("
                    + e.getMessage() + ")");
        }
    }

    private byte[] keptArray(int length) {
        if (frameBytes.length < length) {
            frameBytes = new byte[Math.min(KEPT_FRAME_BYTES, Math.max(length, 2 * frameBytes.length))];
        }
        return frameBytes;
    }

    /** Close codes after which reconnecting cannot help: protocol error, unsupported data, policy (credentials). */
    private static boolean refusedForGood(int code) {
        return code == 1002 || code == 1003 || code == 1008;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            events.opened(connection);
        } else if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            connection.closing("the WebSocket upgrade timed out", false);
            ctx.close();
        } else if (event instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE) {
                ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
            } else if (idle.state() == IdleState.READER_IDLE && ctx.channel().config().isAutoRead()) {
                // Not while reading is paused for the applier: then silence is ours, not the server's.
                connection.closing("nothing arrived from the server for " + keepAlive.multipliedBy(3).toSeconds()
                        + " s, not even an answer to a ping; the connection is considered dead", false);
                ctx.close();
            }
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof WebSocketClientHandshakeException refused) {
            HttpResponseStatus status = refused.response() == null ? null : refused.response().status();
            boolean forGood = status != null && status.code() >= 400 && status.code() < 500
                    && status.code() != 408 && status.code() != 429;
            String advice = status == null ? "" : switch (status.code()) {
                case 401 -> ": the server requires a valid token (none was given, or it was refused): pass one with --token or Builder.token, and check it";
                case 403 -> ": the token does not permit this client";
                case 404 -> ": no sync endpoint at this URL; check the path (usually /sync)";
                default -> "";
            };
            connection.closing("the WebSocket upgrade failed" + (status == null ? "" : " with HTTP " + status)
                    + advice + " (" + refused.getMessage() + ")", forGood);
        } else if (inflaterFailure(cause) != null) {
            // A compressed message from the server inflated beyond maxMessageBytes (a bomb) or is not deflate data.
            WebSocketCloseStatus status = inflaterFailure(cause);
            String problem = status == WebSocketCloseStatus.MESSAGE_TOO_BIG
                    ? "a compressed message from the server inflates beyond the client's maxMessageBytes"
                    : "a compressed message from the server is not valid deflate data";
            connection.closing(problem + " (" + cause.getMessage() + ")", false);
            ctx.writeAndFlush(new CloseWebSocketFrame(status, problem)).addListener(done -> ctx.close());
            return;
        } else {
            connection.closing("the connection failed: " + cause, false);
            log.debug("{} failed", connection, cause);
        }
        ctx.close();
    }

    /** The close status for a failure of the inflater in {@code cause}'s chain, or {@code null} when it is none. */
    private static WebSocketCloseStatus inflaterFailure(Throwable cause) {
        WebSocketCloseStatus status = null;
        for (Throwable t = cause; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof java.util.zip.DataFormatException) {
                return WebSocketCloseStatus.PROTOCOL_ERROR;
            }
            if (t instanceof DecompressionException && status == null) {
                status = WebSocketCloseStatus.MESSAGE_TOO_BIG;
            }
        }
        return status;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        events.closed(connection);
        super.channelInactive(ctx);
    }
}
