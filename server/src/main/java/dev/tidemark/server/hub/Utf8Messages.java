package dev.tidemark.server.hub;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;

/**
 * A message encoded by the codec straight into a buffer for the network, in UTF-8, without a string between
 * ({@link MessageCodec#encode(Message, java.io.OutputStream)}: the bytes of the codec's text, a lone surrogate
 * as its JSON escape).
 */
final class Utf8Messages {

    private Utf8Messages() {}

    /** The message's text in a new buffer of {@code alloc}; the caller owns (writes or releases) it. */
    static ByteBuf encode(ByteBufAllocator alloc, MessageCodec codec, Message message) {
        ByteBuf buffer = alloc.buffer(message instanceof Changes changes ? 256 + 192 * changes.data().size() : 256);
        try {
            codec.encode(message, new ByteBufOutputStream(buffer));
            return buffer;
        } catch (RuntimeException | Error e) {
            buffer.release();
            throw e;
        }
    }
}
