package dev.tidemark.server.http;

import dev.tidemark.server.hub.CloseCodes;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.util.zip.DataFormatException;

/**
 * Negotiates {@code permessage-deflate} (RFC 7692) on the upgrade of clients that offer it, bounded against
 * compression bombs: a client's message inflates to at most {@code maxMessageBytes}; beyond it the inflater stops
 * ({@link DecompressionException}) and the connection is closed with 1009 ({@link #closeCode}). An offer the server
 * cannot accept (unknown or malformed parameters) is declined: the client is served uncompressed.
 */
final class MessageCompression implements WebSocketServerExtensionHandshaker {

    /** zlib's default: most of level 9's ratio on JSON at a fraction of its CPU. */
    static final int LEVEL = 6;

    private final PerMessageDeflateServerExtensionHandshaker deflate;

    MessageCompression(int maxMessageBytes) {
        // Accept a client's wish for a smaller server window or no server context: both only save server memory.
        this.deflate = new PerMessageDeflateServerExtensionHandshaker(LEVEL,
                ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
                PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE, true, false,
                PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
                PerMessageDeflateServerExtensionHandshaker.DEFAULT_MEM_LEVEL, maxMessageBytes);
    }

    /** A new negotiating handler for one connection's upgrade (it removes itself once the upgrade is answered). */
    WebSocketServerExtensionHandler newHandler() {
        return new WebSocketServerExtensionHandler(this) {
            @Override
            protected void onHttpRequestChannelRead(ChannelHandlerContext ctx, HttpRequest request) throws Exception {
                try {
                    super.onHttpRequestChannelRead(ctx, request);
                } catch (RuntimeException malformed) {
                    // A Sec-WebSocket-Extensions header Netty cannot parse: negotiate nothing, serve uncompressed.
                    request.headers().remove(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
                    super.onHttpRequestChannelRead(ctx, request);
                }
            }
        };
    }

    @Override
    public WebSocketServerExtension handshakeExtension(WebSocketExtensionData offer) {
        try {
            return deflate.handshakeExtension(offer);
        } catch (RuntimeException malformed) {
            // Netty lets a window size that is not a number escape as NumberFormatException: decline instead.
            return null;
        }
    }

    /**
     * The close code for a failure of the inflater, or 0 when {@code cause} is not one: 1009 for a message that
     * inflates beyond the limit, 1002 for data that is not valid deflate.
     */
    static int closeCode(Throwable cause) {
        DecompressionException decompression = null;
        for (Throwable t = cause; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof DataFormatException) {
                return CloseCodes.PROTOCOL_ERROR;
            }
            if (t instanceof DecompressionException found && decompression == null) {
                decompression = found;
            }
        }
        return decompression == null ? 0 : CloseCodes.MESSAGE_TOO_BIG;
    }
}
