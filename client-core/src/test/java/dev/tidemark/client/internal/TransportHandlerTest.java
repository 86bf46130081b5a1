package dev.tidemark.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.Welcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The transport handler")
class TransportHandlerTest {

    private final MessageCodec codec = new MessageCodec();
    private final List<String> events = new ArrayList<>();
    private final List<Message> received = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final Connection connection = new Connection(1, channel, "c-1", codec);

    TransportHandlerTest() {
        channel.pipeline().addLast(new TransportHandler(connection, codec, new TransportEvents() {
            @Override
            public void opened(Connection c) {
                events.add("opened");
            }

            @Override
            public void received(Connection c, Message message) {
                received.add(message);
            }

            @Override
            public void malformed(Connection c, String problem) {
                events.add("malformed: " + problem);
            }

            @Override
            public void closed(Connection c) {
                events.add("closed");
            }
        }, Duration.ofSeconds(30)));
    }

    private Message sent() {
        TextWebSocketFrame frame = channel.readOutbound();
        try {
            return codec.decode(frame.text());
        } finally {
            frame.release();
        }
    }

    @Test
    @DisplayName("hands valid messages to the engine and releases every frame")
    void valid() {
        Welcome welcome = new Welcome("h", Lsn.parse("0/10"), 1, 8);
        TextWebSocketFrame frame = new TextWebSocketFrame(codec.encode(welcome));
        channel.writeInbound(frame);
        assertThat(received).containsExactly(welcome);
        assertThat(frame.refCnt()).isZero();
    }

    @Test
    @DisplayName("answers a malformed message with an error naming the problem, and keeps the connection")
    void malformed() {
        TextWebSocketFrame frame = new TextWebSocketFrame("{not json");
        channel.writeInbound(frame);
        Message answer = sent();
        assertThat(answer).isInstanceOfSatisfying(ErrorMessage.class,
                error -> assertThat(error.code()).isEqualTo(ErrorCode.MALFORMED_MESSAGE));
        assertThat(events).singleElement().asString().startsWith("malformed: message is not valid JSON");
        assertThat(frame.refCnt()).isZero();
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    @DisplayName("refuses a text frame that is not valid UTF-8, without replacing the bad bytes")
    void invalidUtf8() {
        byte[] bytes = "{\"type\":\"error\",\"code\":\"internal\",\"message\":\"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        bytes[bytes.length - 3] = (byte) 0xC3; // a lead byte without its continuation
        TextWebSocketFrame frame = new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes));
        channel.writeInbound(frame);
        assertThat(sent()).isInstanceOfSatisfying(ErrorMessage.class,
                error -> assertThat(error.message()).contains("not valid UTF-8"));
        assertThat(received).isEmpty();
        assertThat(frame.refCnt()).isZero();
    }

    @Test
    @DisplayName("decodes frames in direct memory and slices of heap arrays, longer and shorter in turn, and refuses"
            + " bad UTF-8 in direct memory too")
    void framesWhereverTheirBytesLie() {
        List<ErrorMessage> messages = new ArrayList<>();
        for (String text : List.of("é".repeat(3000), "ü", "x".repeat(600_000), "€ 2", "y".repeat(1_500_000), "z")) {
            ErrorMessage message = new ErrorMessage(ErrorCode.INTERNAL, text);
            messages.add(message);
            byte[] bytes = codec.encode(message).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ByteBuf direct = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
            channel.writeInbound(new TextWebSocketFrame(direct));
            byte[] padded = new byte[bytes.length + 7];
            System.arraycopy(bytes, 0, padded, 5, bytes.length);
            channel.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(padded).slice(5, bytes.length)));
        }
        assertThat(received).containsExactlyElementsOf(messages.stream().flatMap(m -> java.util.stream.Stream.of(m, m))
                .toList());

        byte[] bad = "{\"type\":\"error\",\"code\":\"internal\",\"message\":\"x\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        bad[bad.length - 3] = (byte) 0xC3;
        TextWebSocketFrame frame = new TextWebSocketFrame(Unpooled.directBuffer(bad.length).writeBytes(bad));
        channel.writeInbound(frame);
        assertThat(sent()).isInstanceOfSatisfying(ErrorMessage.class,
                error -> assertThat(error.message()).contains("not valid UTF-8"));
        assertThat(frame.refCnt()).isZero();
    }

    @Test
    @DisplayName("refuses binary frames with an error")
    void binary() {
        BinaryWebSocketFrame frame = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2}));
        channel.writeInbound(frame);
        assertThat(sent()).isInstanceOf(ErrorMessage.class);
        assertThat(frame.refCnt()).isZero();
        assertThat(received).isEmpty();
    }

    @Test
    @DisplayName("reports the upgrade as opened")
    void opened() {
        channel.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);
        assertThat(events).containsExactly("opened");
    }

    @Test
    @DisplayName("treats a policy close (1008) as a refusal for good, and a normal close as a reason to reconnect")
    void closeCodes() {
        channel.writeInbound(new CloseWebSocketFrame(1008, "token does not permit client c-1"));
        assertThat(connection.refused()).isTrue();
        assertThat(connection.closeReason()).contains("1008", "token does not permit");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(events).contains("closed");

        EmbeddedChannel other = new EmbeddedChannel();
        Connection normal = new Connection(2, other, "c-1", codec);
        other.pipeline().addLast(new TransportHandler(normal, codec, new TransportEvents() {
            @Override
            public void opened(Connection c) {}

            @Override
            public void received(Connection c, Message message) {}

            @Override
            public void malformed(Connection c, String problem) {}

            @Override
            public void closed(Connection c) {}
        }, Duration.ofSeconds(30)));
        other.writeInbound(new CloseWebSocketFrame(1001, "going away"));
        assertThat(normal.refused()).isFalse();
        assertThat(normal.closeReason()).contains("1001");
    }
}
