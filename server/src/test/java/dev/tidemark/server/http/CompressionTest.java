package dev.tidemark.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.MessageCodec;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.hub.CloseCodes;
import dev.tidemark.server.hub.HubTestBase;
import dev.tidemark.server.hub.testing.WsTestClient;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("permessage-deflate on the sync endpoint")
class CompressionTest extends HubTestBase {

    private static final MessageCodec CODEC = new MessageCodec();
    private static final int RSV1 = 4;

    private DeflateTestClient open(String clientId, DeflateTestClient.Offer offer, String rawHeader) throws Exception {
        DeflateTestClient client = new DeflateTestClient(uri(null), bearer(token(clientId)), offer, rawHeader);
        track(client);
        return client;
    }

    private DeflateTestClient open(String clientId, DeflateTestClient.Offer offer) throws Exception {
        return open(clientId, offer, null);
    }

    private static Hello helloOf(String clientId) {
        return new Hello(clientId, Lsn.ZERO, null, Message.PROTOCOL_VERSION, List.of(Hello.CAPABILITY_ACK), List.of());
    }

    private static <T extends Message> T next(DeflateTestClient client, Class<T> type) throws InterruptedException {
        Message message = CODEC.decode(client.nextText(WAIT));
        assertThat(message).isInstanceOf(type);
        return type.cast(message);
    }

    /** Says hello, then reads changes until {@code count} changes arrived; returns their entity ids in order. */
    private List<String> syncChanges(DeflateTestClient client, String clientId, int count) throws InterruptedException {
        client.send(CODEC.encode(helloOf(clientId)));
        next(client, Welcome.class);
        List<String> ids = new ArrayList<>();
        while (ids.size() < count) {
            Changes batch = next(client, Changes.class);
            batch.data().forEach(change -> ids.add(change.entityId()));
            client.send(CODEC.encode(dev.tidemark.protocol.SyncAck.success(clientId, batch.lsn(), batch.batchId())));
        }
        return ids;
    }

    private static List<String> expectedIds(String prefix, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(prefix + i);
        }
        return ids;
    }

    private void startServer(boolean compression) {
        startServer(hub -> hub, http -> http.compression(compression), AuthConfig.withSecret(SECRET));
    }

    @Test
    @DisplayName("negotiated when both agree: the answer names permessage-deflate and the stream arrives compressed and whole")
    void negotiated() throws Exception {
        startServer(true);
        capture.commit("orders", "o", 300);
        DeflateTestClient client = open("c1", DeflateTestClient.Offer.DEFLATE);

        assertThat(client.acceptedExtensions()).startsWith("permessage-deflate");
        assertThat(syncChanges(client, "c1", 300)).isEqualTo(expectedIds("o", 300));
        assertThat(client.compressedFrames()).as("frames with RSV1 from the server").isPositive();
    }

    @Test
    @DisplayName("a server with compression off answers an offer without it and streams uncompressed")
    void refusedWhenOff() throws Exception {
        startServer(false);
        capture.commit("orders", "o", 50);
        DeflateTestClient client = open("c1", DeflateTestClient.Offer.DEFLATE);

        assertThat(client.acceptedExtensions()).isNull();
        assertThat(syncChanges(client, "c1", 50)).isEqualTo(expectedIds("o", 50));
        assertThat(client.compressedFrames()).isZero();
    }

    @Test
    @DisplayName("a client that does not offer it is served uncompressed by a server with compression on")
    void notOffered() throws Exception {
        startServer(true);
        capture.commit("orders", "o", 50);
        DeflateTestClient client = open("c1", DeflateTestClient.Offer.NONE);

        assertThat(client.acceptedExtensions()).isNull();
        assertThat(syncChanges(client, "c1", 50)).isEqualTo(expectedIds("o", 50));
        assertThat(client.compressedFrames()).isZero();
    }

    @Test
    @DisplayName("offers with bad or unknown parameters are declined: the client is served uncompressed")
    void badParametersDeclined() throws Exception {
        startServer(true);
        capture.commit("orders", "o", 20);
        String[] offers = {
            "permessage-deflate; client_max_window_bits=abc",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=99",
            "permessage-deflate; no_such_parameter",
            "x-webkit-deflate-frame",
            ";;;,,=",
        };
        for (int i = 0; i < offers.length; i++) {
            String clientId = "bad-" + i;
            DeflateTestClient client = open(clientId, DeflateTestClient.Offer.RAW_HEADER, offers[i]);
            assertThat(client.acceptedExtensions()).as("answer to '%s'", offers[i]).isNull();
            assertThat(syncChanges(client, clientId, 20)).as("stream after '%s'", offers[i]).isEqualTo(expectedIds("o", 20));
        }
    }

    @Test
    @DisplayName("a few KB that inflate beyond maxMessageBytes close with 1009; other clients keep syncing")
    void compressionBombClosesWith1009() throws Exception {
        startServer(true);
        WsTestClient other = hello("other", Lsn.ZERO);
        DeflateTestClient bomber = open("bomber", DeflateTestClient.Offer.DEFLATE);
        assertThat(bomber.acceptedExtensions()).startsWith("permessage-deflate");

        byte[] inflated = ("{\"type\":\"hello\",\"pad\":\"" + " ".repeat(32 * 1024 * 1024) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] bomb = DeflateTestClient.deflate(new Deflater(9, true), inflated);
        assertThat(bomb.length).as("compressed size").isLessThan(64 * 1024);
        org.assertj.core.api.Assertions.catchThrowable(() ->
                bomber.sendFrame(new TextWebSocketFrame(true, RSV1, Unpooled.wrappedBuffer(bomb))));
        assertThat(bomber.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        // Stopped by the inflater's bound, not after inflating the whole message.
        assertThat(bomber.closeReason()).contains("inflates above");

        capture.commit("orders", "o", 1);
        assertThat(other.next(Changes.class, WAIT).data()).hasSize(1);
    }

    @Test
    @DisplayName("compressed fragments that inflate beyond maxMessageBytes together close with 1009")
    void fragmentedBombClosesWith1009() throws Exception {
        startServer(true);
        DeflateTestClient bomber = open("bomber", DeflateTestClient.Offer.DEFLATE);
        Deflater deflater = new Deflater(9, true);
        byte[] chunk = " ".repeat(200 * 1024).getBytes(StandardCharsets.UTF_8);
        bomber.sendFrame(new TextWebSocketFrame(false, RSV1, Unpooled.wrappedBuffer(DeflateTestClient.deflateFragment(deflater,
                ("{\"type\":\"hello\",\"pad\":\"").getBytes(StandardCharsets.UTF_8)))));
        org.assertj.core.api.Assertions.catchThrowable(() -> {
            for (int i = 0; i < 4; i++) {
                bomber.sendFrame(new ContinuationWebSocketFrame(false, 0,
                        Unpooled.wrappedBuffer(DeflateTestClient.deflateFragment(deflater, chunk))));
            }
        });
        assertThat(bomber.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
    }

    @Test
    @DisplayName("compressed data that is not deflate closes with 1002")
    void corruptDeflateClosesWith1002() throws Exception {
        startServer(true);
        DeflateTestClient client = open("c1", DeflateTestClient.Offer.DEFLATE);
        client.sendFrame(new TextWebSocketFrame(true, RSV1, Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, 1, 2, 3, 4})));
        assertThat(client.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("with compression on, RSV1 on a connection that did not negotiate it, or RSV2, closes with 1002")
    void reservedBitsWithoutNegotiation() throws Exception {
        startServer(true);
        DeflateTestClient plain = open("plain", DeflateTestClient.Offer.NONE);
        plain.sendFrame(new TextWebSocketFrame(true, RSV1, Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8)));
        assertThat(plain.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.PROTOCOL_ERROR);

        DeflateTestClient negotiated = open("negotiated", DeflateTestClient.Offer.DEFLATE);
        negotiated.sendFrame(new TextWebSocketFrame(true, 2, Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8)));
        assertThat(negotiated.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("a compressing client's own messages are inflated and understood")
    void clientMessagesInflated() throws Exception {
        startServer(true);
        capture.commit("orders", "o", 5);
        DeflateTestClient client = open("c1", DeflateTestClient.Offer.DEFLATE);
        // Netty's client extension compresses what the client sends: hello and acks travel deflated.
        assertThat(syncChanges(client, "c1", 5)).isEqualTo(expectedIds("o", 5));
        capture.commit("orders", "p", 3);
        Changes live = next(client, Changes.class);
        assertThat(live.data()).extracting(c -> c.entityId()).containsExactly("p0", "p1", "p2");
    }
}
