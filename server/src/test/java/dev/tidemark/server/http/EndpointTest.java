package dev.tidemark.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.TokenSigner;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.hub.CloseCodes;
import dev.tidemark.server.hub.HubTestBase;
import dev.tidemark.server.hub.testing.InMemoryChangeLog;
import dev.tidemark.server.hub.testing.WsTestClient;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The HTTP/WebSocket endpoint")
class EndpointTest extends HubTestBase {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Hello helloOf(String clientId) {
        return new Hello(clientId, Lsn.ZERO, null, 1, List.of("ack"), List.of());
    }

    @Test
    @DisplayName("serves /healthz, /readyz and Prometheus /metrics, and 404 elsewhere")
    void healthReadinessMetrics() throws Exception {
        startServer();
        await().atMost(WAIT).until(() -> get("/readyz").statusCode() == 200);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(metrics.body()).contains("tidemark_hub_sessions").contains("tidemark_http_connections");
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        assertThat(get("/sync/other").statusCode()).isEqualTo(404);
    }

    @Test
    @DisplayName("/readyz answers 503 until the change log has a history")
    void notReadyWithoutHistory() throws Exception {
        InMemoryChangeLog empty = new InMemoryChangeLog();
        SyncServerConfig config = new SyncServerConfig(testHttp().build(), testHub().build(), AuthConfig.disabled());
        try (SyncServer other = SyncServer.create(config, empty, new ChangeFeed(), meters).start()) {
            URI ready = URI.create("http://127.0.0.1:" + other.port() + "/readyz");
            assertThat(http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(503);
            WsTestClient early = WsTestClient.connect(URI.create("ws://127.0.0.1:" + other.port() + "/sync"), null);
            early.send(helloOf("c1"));
            assertThat(early.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.INTERNAL);
            assertThat(early.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.TRY_AGAIN_LATER);
            early.close();
            empty.startHistory("h", Lsn.ZERO);
            await().atMost(WAIT).until(() -> http.send(HttpRequest.newBuilder(ready).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        }
    }

    @Test
    @DisplayName("/readyz answers 503 naming the table while capture reports incomplete data, 200 once it is complete")
    void notReadyWhileCaptureIsIncomplete() throws Exception {
        InMemoryChangeLog log = new InMemoryChangeLog();
        log.startHistory("h", Lsn.ZERO);
        java.util.concurrent.atomic.AtomicReference<List<dev.tidemark.server.feed.TableProblem>> problems =
                new java.util.concurrent.atomic.AtomicReference<>(List.of(new dev.tidemark.server.feed.TableProblem(
                        "public.audit", "audit", "it has no primary key", "ALTER TABLE public.audit ADD PRIMARY KEY (...)")));
        dev.tidemark.server.feed.CaptureHealth health = new dev.tidemark.server.feed.CaptureHealth() {
            @Override
            public List<dev.tidemark.server.feed.TableProblem> problems() {
                return problems.get();
            }

            @Override
            public java.util.Optional<String> stalled() {
                return java.util.Optional.empty();
            }
        };
        dev.tidemark.server.hub.Hub hub = new dev.tidemark.server.hub.Hub(testHub().build(), log, new ChangeFeed(), meters,
                Clock.systemUTC(), java.util.Optional.empty(), health);
        hub.start();
        try (SyncServer other = new SyncServer(testHttp().build(), hub,
                new dev.tidemark.server.auth.Authenticator(AuthConfig.disabled(), Clock.systemUTC()), meters).start()) {
            URI ready = URI.create("http://127.0.0.1:" + other.port() + "/readyz");
            await().atMost(WAIT).until(() -> http.send(HttpRequest.newBuilder(ready).build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("incomplete"));
            HttpResponse<String> incomplete = http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(incomplete.statusCode()).isEqualTo(503);
            assertThat(incomplete.body()).contains("public.audit", "ADD PRIMARY KEY");
            problems.set(List.of());
            assertThat(http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
        } finally {
            hub.close();
        }
    }

    @Test
    @DisplayName("missing, malformed, wrongly signed and expired tokens get 401 on the upgrade")
    void badTokensAre401() {
        startServer();
        assertRefused(null, 401);
        assertRefused("not-a-token", 401);
        assertRefused(new TokenSigner("another-secret-0123456789abcdefghij", Clock.systemUTC())
                .mint("c1", Set.of("*"), Duration.ofHours(1)), 401);
        TokenSigner past = new TokenSigner(SECRET, Clock.fixed(Instant.now().minusSeconds(7200), ZoneOffset.UTC));
        assertRefused(past.mint("c1", Set.of("*"), Duration.ofHours(1)), 401);
        assertThat(counter("tidemark.auth.failures", "reason", "missing")).isEqualTo(1);
        assertThat(counter("tidemark.auth.failures", "reason", "expired")).isEqualTo(1);
        assertThat(counter("tidemark.auth.failures", "reason", "bad_signature")).isEqualTo(1);
        // The token may come as a query parameter too.
        WsTestClient client = track(WsTestClient.connect(uri("token=" + token("c1")), null));
        client.send(helloOf("c1"));
        client.next(Welcome.class, WAIT);
    }

    private void assertRefused(String token, int status) {
        assertThatThrownBy(() -> track(WsTestClient.connect(uri(null), token == null ? null : bearer(token))))
                .isInstanceOfSatisfying(WsTestClient.UpgradeRefused.class, e -> assertThat(e.status()).isEqualTo(status));
    }

    @Test
    @DisplayName("a hello as another client id than the token's gets an error and close 1008; a legacy one gets 403")
    void clientIdMustMatchToken() {
        startServer();
        WsTestClient client = connect("c1");
        client.send(helloOf("c2"));
        assertThat(client.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(client.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.POLICY_VIOLATION);
        assertThatThrownBy(() -> track(WsTestClient.connect(uri("clientId=c2"), bearer(token("c1")))))
                .isInstanceOfSatisfying(WsTestClient.UpgradeRefused.class, e -> assertThat(e.status()).isEqualTo(403));
    }

    @Test
    @DisplayName("with auth disabled any client may connect")
    void authDisabled() {
        startServer(hub -> hub, h -> h, AuthConfig.disabled());
        WsTestClient client = track(WsTestClient.connect(uri(null), null));
        client.send(helloOf("anyone"));
        client.next(Welcome.class, WAIT);
    }

    @Test
    @DisplayName("malformed JSON, unknown types and server-only messages get an error; the connection and other clients go on")
    void badMessagesGetErrors() {
        startServer();
        WsTestClient other = hello("other", Lsn.ZERO);
        WsTestClient client = connect("c1");
        client.send("{not json");
        assertThat(client.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.MALFORMED_MESSAGE);
        client.send("{\"type\":\"teleport\"}");
        assertThat(client.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        client.send("{\"type\":\"hello\",\"clientId\":\"c1\"}");
        assertThat(client.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.MISSING_FIELD);
        client.send(new Welcome("h", Lsn.ZERO, 1, 1));
        assertThat(client.next(ErrorMessage.class, WAIT).code()).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
        capture.commit("orders", "o", 2);
        assertThat(other.next(Changes.class, WAIT).data()).hasSize(2);
        client.send(helloOf("c1"));
        client.next(Welcome.class, WAIT);
        assertThat(client.next(Changes.class, WAIT).data()).hasSize(2);
    }

    @Test
    @DisplayName("a frame above maxFrameBytes, or fragments above maxMessageBytes, close with 1009; others keep streaming")
    void oversizedFrames() {
        startServer(hub -> hub, h -> h.maxFrameBytes(4096).maxMessageBytes(8192), AuthConfig.withSecret(SECRET));
        WsTestClient other = hello("other", Lsn.ZERO);
        WsTestClient big = connect("big");
        big.send("{\"type\":\"hello\",\"pad\":\"" + "x".repeat(5000) + "\"}");
        assertThat(big.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);

        WsTestClient fragmented = connect("fragmented");
        fragmented.sendFrame(new TextWebSocketFrame(false, 0, "{\"type\":\"hello\",\"pad\":\"" + "x".repeat(3000)));
        fragmented.sendFrame(new ContinuationWebSocketFrame(false, 0, "x".repeat(3000)));
        fragmented.sendFrame(new ContinuationWebSocketFrame(true, 0, "x".repeat(3000) + "\"}"));
        assertThat(fragmented.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);

        capture.commit("orders", "o", 1);
        assertThat(other.next(Changes.class, WAIT).data()).hasSize(1);
    }

    @Test
    @DisplayName("a single frame far above maxFrameBytes, as the first fragment of a message, closes with 1009, not 1006")
    void hugeFirstFragmentClosesWith1009() {
        startServer();
        WsTestClient other = hello("other", Lsn.ZERO);
        for (int size : new int[] {100 * 1024, 4 * 1024 * 1024, 32 * 1024 * 1024}) {
            WsTestClient big = connect("big-" + size);
            byte[] payload = new byte[size];
            java.util.Arrays.fill(payload, (byte) 'x');
            // The server may stop reading before the whole frame is written: only the close code matters here.
            org.assertj.core.api.Assertions.catchThrowable(() ->
                    big.sendFrame(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(payload))));
            assertThat(big.closeCode()).as("close code after a first fragment of %d bytes", size)
                    .succeedsWithin(WAIT).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        }
        capture.commit("orders", "o", 1);
        assertThat(other.next(Changes.class, WAIT).data()).hasSize(1);
    }

    @Test
    @DisplayName("invalid UTF-8 in a text frame closes with 1007; a binary frame while a large one is in flight with 1003")
    void invalidUtf8AndBinaryCloseWithTheirCodes() {
        startServer();
        WsTestClient invalid = connect("utf8");
        invalid.sendFrame(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'"', (byte) 0xC3, (byte) 0x28, '"'})));
        assertThat(invalid.closeCode()).succeedsWithin(WAIT).isEqualTo(1007);
        WsTestClient binary = connect("binary");
        org.assertj.core.api.Assertions.catchThrowable(() ->
                binary.sendFrame(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[60 * 1024]))));
        assertThat(binary.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
    }

    @Test
    @DisplayName("a binary frame closes with 1003")
    void binaryFrame() {
        startServer();
        WsTestClient client = connect("c1");
        client.sendFrame(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
        assertThat(client.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
    }

    @Test
    @DisplayName("an unsupported protocol version gets an error and close 1002")
    void unsupportedVersion() {
        startServer();
        WsTestClient client = connect("c1");
        client.send(new Hello("c1", Lsn.ZERO, null, 2, List.of("ack"), List.of()));
        ErrorMessage error = client.next(ErrorMessage.class, WAIT);
        assertThat(error.code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(error.message()).contains("version 1");
        assertThat(client.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("a client that sends no hello within the handshake timeout is closed with 1013 (try again later)")
    void helloTimeout() {
        // The upgrade request itself must now arrive within the handshake timeout too (slowloris): 300 ms was
        // shorter than a cold JVM's first connection takes.
        startServer(hub -> hub, h -> h.handshakeTimeout(Duration.ofSeconds(2)), AuthConfig.withSecret(SECRET));
        WsTestClient client = connect("c1");
        assertThat(client.next(ErrorMessage.class, WAIT).message()).contains("no hello");
        assertThat(client.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.TRY_AGAIN_LATER);
    }

    @Test
    @DisplayName("a connection that does not finish its upgrade within the handshake timeout is closed, even trickling bytes")
    void slowUpgradeIsCut() throws Exception {
        startServer(hub -> hub, h -> h.handshakeTimeout(Duration.ofSeconds(2)).pingInterval(Duration.ofMillis(200))
                .idleTimeout(Duration.ofSeconds(60)), AuthConfig.withSecret(SECRET));
        byte[] request = ("GET /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nX-Slow: " + "a".repeat(120))
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (java.net.Socket slow = new java.net.Socket("127.0.0.1", server.port())) {
            long started = System.nanoTime();
            boolean closed = false;
            // One byte every 100 ms: never idle for a ping interval, never a whole request.
            for (int i = 0; i < request.length && !closed; i++) {
                try {
                    slow.getOutputStream().write(request[i]);
                    slow.getOutputStream().flush();
                    slow.setSoTimeout(100);
                    closed = slow.getInputStream().read() < 0;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // Not closed yet: trickle on.
                } catch (java.io.IOException reset) {
                    closed = true;
                }
            }
            assertThat(closed).as("closed while trickling").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        }
        WsTestClient upgraded = connect("c1");
        upgraded.send(helloOf("c1"));
        upgraded.next(Welcome.class, WAIT);
    }

    @Test
    @DisplayName("connections above maxConnections get 503")
    void connectionLimit() throws Exception {
        startServer(hub -> hub, h -> h.maxConnections(2), AuthConfig.withSecret(SECRET));
        connect("a");
        connect("b");
        assertThatThrownBy(() -> connect("c"))
                .isInstanceOfSatisfying(WsTestClient.UpgradeRefused.class, e -> assertThat(e.status()).isEqualTo(503));
        assertThat(counter("tidemark.http.connections.rejected")).isEqualTo(1);
    }

    @Test
    @DisplayName("silent connections are pinged; one that does not answer is closed with 1001 after the idle timeout")
    void pingAndIdleTimeout() {
        startServer(hub -> hub, h -> h.pingInterval(Duration.ofMillis(100)).idleTimeout(Duration.ofMillis(450)),
                AuthConfig.withSecret(SECRET));
        WsTestClient alive = connect("alive");
        WsTestClient dead = connect("dead");
        dead.answerPings(false);
        assertThat(dead.closeCode()).succeedsWithin(WAIT).isEqualTo(CloseCodes.GOING_AWAY);
        await().atMost(WAIT).until(() -> alive.pings() >= 6);
        assertThat(alive.isOpen()).isTrue();
    }

    @Test
    @DisplayName("serves wss:// with a PEM certificate and key")
    void tls() throws Exception {
        X509Bundle cert = new CertificateBuilder().subject("CN=localhost").addSanIpAddress("127.0.0.1")
                .setIsCertificateAuthority(true).ecp256().buildSelfSigned();
        java.nio.file.Path chain = cert.toTempCertChainPem().toPath();
        java.nio.file.Path key = cert.toTempPrivateKeyPem().toPath();
        startServer(hub -> hub, h -> h.tls(chain, key), AuthConfig.withSecret(SECRET));
        SslContext client = SslContextBuilder.forClient().trustManager(cert.getCertificate()).build();
        WsTestClient secure = track(WsTestClient.connect(URI.create("wss://127.0.0.1:" + server.port() + "/sync"),
                bearer(token("c1")), client, null));
        secure.send(helloOf("c1"));
        secure.next(Welcome.class, WAIT);
        capture.commit("orders", "o", 1);
        assertThat(secure.next(Changes.class, WAIT).data()).hasSize(1);
    }
}
