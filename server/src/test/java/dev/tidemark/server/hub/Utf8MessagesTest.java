package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Messages encoded straight to UTF-8")
class Utf8MessagesTest {

    private final MessageCodec codec = new MessageCodec();
    private static final Instant TIME = Instant.parse("2026-11-27T03:00:00.123456Z");

    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);

    @Test
    @DisplayName("are the bytes of the codec's text, characters outside the BMP too")
    void sameBytesAsTheText() {
        List<Message> messages = List.of(
                Changes.of(new ChangeBatch("b-1", Lsn.parse("0/10"), Lsn.parse("0/20"), List.of(
                        Change.update("orders", "1 😀", "{\"note\":\"é ü € 😀 \\\"quoted\\\" \\n\"}", TIME),
                        Change.delete("orders", "2", TIME)))),
                new ErrorMessage(ErrorCode.INVALID_FIELD, "no table 'x 😀 y' is captured"));
        for (Message message : messages) {
            ByteBuf direct = Utf8Messages.encode(alloc, codec, message);
            ByteBuf viaText = ByteBufUtil.writeUtf8(alloc, codec.encode(message));
            try {
                assertThat(ByteBufUtil.getBytes(direct)).isEqualTo(ByteBufUtil.getBytes(viaText));
            } finally {
                direct.release();
                viaText.release();
            }
        }
    }

    @Test
    @DisplayName("carry a lone surrogate (no UTF-8 for it) as its JSON escape: the client reads the very string")
    void loneSurrogate() {
        Message message = Changes.of(new ChangeBatch("b-2", Lsn.parse("0/20"), Lsn.parse("0/30"), List.of(
                Change.update("orders", "lone \uD800 surrogate", "{\"id\":1}", TIME))));
        ByteBuf direct = Utf8Messages.encode(alloc, codec, message);
        try {
            String text = direct.toString(StandardCharsets.UTF_8);
            assertThat(text).contains("lone \\uD800 surrogate");
            assertThat(codec.decode(text)).isEqualTo(message);
        } finally {
            direct.release();
        }
    }
}
