package dev.tidemark.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.awaitility.Awaitility;

/**
 * Bad input against the live packaged server: every input gets a clear {@code error} or the documented close code
 * (1002 framing, 1003 binary, 1007 invalid UTF-8, 1008 policy, 1009 too big), never a dropped connection; the
 * change log is unchanged, the fuzz client's recorded position never passes what exists, and an observer client
 * keeps syncing to the source's exact state.
 */
class ProtocolFuzzIT {

    /** One bad input: what to send, after a valid {@code hello} or not. */
    record BadInput(String kind, boolean afterHello, List<Frame> frames) {
        String fingerprint() {
            StringBuilder text = new StringBuilder(kind).append(afterHello);
            for (Frame frame : frames) {
                text.append('|').append(frame.fin()).append(frame.rsv()).append(frame.opcode()).append(frame.masked())
                        .append(Arrays.hashCode(frame.payload())).append(':').append(frame.payload().length);
            }
            return text.toString();
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder(kind + (afterHello ? " after hello" : "") + ":");
            for (Frame frame : frames) {
                String payload = new String(frame.payload(), 0, Math.min(120, frame.payload().length), StandardCharsets.UTF_8);
                text.append(" [fin=").append(frame.fin()).append(" rsv=").append(frame.rsv()).append(" op=")
                        .append(frame.opcode()).append(" masked=").append(frame.masked()).append(" ")
                        .append(frame.payload().length).append(" bytes: ").append(payload).append(']');
            }
            return text.toString();
        }
    }

    record Frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
        static Frame text(String text) {
            return new Frame(true, 0, RawWebSocket.OP_TEXT, text.getBytes(StandardCharsets.UTF_8), true);
        }
    }

    private static final Set<Integer> DOCUMENTED_CLOSE_CODES = Set.of(1002, 1003, 1007, 1008, 1009);
    private static final String HELLO = "{\"type\":\"hello\",\"clientId\":\"fuzz\",\"lastLSN\":\"0/0\",\"protocolVersion\":1,"
            + "\"capabilities\":[\"ack\"],\"subscriptions\":[]}";

    private static FuzzTarget target;
    private static long historyBefore;
    private static final Set<String> distinct = new HashSet<>();
    private static final List<String> mishandled = new ArrayList<>();

    @BeforeContainer
    static void start() throws Exception {
        Path out = Path.of(System.getProperty("chaos.out", "target/chaos-runs")).resolve("fuzz");
        target = new FuzzTarget(out);
        Awaitility.await("the observer syncing").atMost(Duration.ofSeconds(300))
                .until(() -> target.observer.store().committedLsn() > 0);
        historyBefore = target.historyRows();
    }

    @AfterContainer
    static void stop() throws Exception {
        if (target == null) {
            return;
        }
        try {
            System.out.println("protocol fuzz: " + distinct.size() + " distinct bad inputs, " + mishandled.size() + " mishandled");
            mishandled.stream().limit(20).forEach(line -> System.out.println("  " + line));
            assertThat(mishandled).as("inputs without a clear error or documented close code").isEmpty();
            assertThat(distinct.size()).as("distinct bad inputs").isGreaterThanOrEqualTo(600);
            assertThat(target.historyRows()).as("the change log is unchanged by bad input").isEqualTo(historyBefore);
            assertThat(target.fuzzProgressWithinHistory()).as("a forged ack never moves a position past the log").isTrue();
            assertThat(target.server.process().isAlive()).as("the server still runs").isTrue();
            assertThat(target.server.crashed()).isFalse();
            // Other clients are unaffected: the observer takes new changes and equals the source.
            for (int i = 0; i < 30; i++) {
                target.writer.step();
            }
            long wal = target.currentWal();
            Awaitility.await("the observer catches up").atMost(Duration.ofSeconds(120))
                    .until(() -> target.observer.store().committedLsn() >= wal);
            target.observer.process().terminate();
            try (Connection source = target.postgres.connect("fuzz")) {
                Comparison.Counts counts = Comparison.compare(source, target.observer.store(), Writer.TABLES);
                assertThat(counts.clean()).as(counts.differences().toString()).isTrue();
            }
            assertThat(target.observer.process().unexpectedExits()).isZero();
        } finally {
            target.close();
        }
    }

    @Property(tries = 800, seed = "20261126", shrinking = net.jqwik.api.ShrinkingMode.OFF,
            afterFailure = net.jqwik.api.AfterFailureMode.RANDOM_SEED)
    void badInputGetsAClearErrorOrTheDocumentedCloseCode(@ForAll("badInputs") BadInput input) throws IOException {
        if (!distinct.add(input.fingerprint())) {
            return;
        }
        try (RawWebSocket ws = RawWebSocket.connect(target.server.port(), target.token)) {
            if (input.afterHello()) {
                ws.text(HELLO);
                RawWebSocket.Answer welcome = ws.await(200);
                if (welcome.closeCode() != 0 || welcome.hasError()) {
                    mishandled.add("valid hello refused before " + input + ": " + welcome);
                    return;
                }
            }
            for (Frame frame : input.frames()) {
                ws.frame(frame.fin(), frame.rsv(), frame.opcode(), frame.payload(), frame.masked());
            }
            RawWebSocket.Answer answer = ws.await(5_000);
            boolean clear = answer.hasError() || DOCUMENTED_CLOSE_CODES.contains(answer.closeCode());
            if (!clear) {
                synchronized (mishandled) {
                    mishandled.add(input + " -> " + (answer.closeCode() == -1 ? "connection dropped without a close frame"
                            : answer.closeCode() == 0 ? "no error within 5 s" : "close " + answer.closeCode()) + " " + answer.texts());
                }
            }
        }
    }

    @Provide
    Arbitrary<BadInput> badInputs() {
        Arbitrary<String> junk = Arbitraries.strings().ofMinLength(1).ofMaxLength(60)
                .withChars("{}[]\":,.-+eE0123456789abcdefxyz \\/\t\n");
        Arbitrary<String> word = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> number = Arbitraries.integers().map(String::valueOf);
        Arbitrary<String> object = word.map(w -> "{\"" + w + "\":1}");
        Arbitrary<String> array = word.map(w -> "[\"" + w + "\"]");
        Arbitrary<String> quoted = word.map(w -> "\"" + w + "\"");
        Arbitrary<String> bool = Arbitraries.of("true", "false");
        Arbitrary<String> hugeNumber = Arbitraries.oneOf(
                Arbitraries.bigIntegers().between(java.math.BigInteger.TWO.pow(63), java.math.BigInteger.TEN.pow(60)).map(String::valueOf),
                Arbitraries.integers().between(300, 100_000).map(e -> "1e" + e),
                Arbitraries.longs().lessOrEqual(-1).map(String::valueOf));
        Arbitrary<String> notHex = word.filter(w -> !w.matches("[0-9a-fA-F]+"));
        Arbitrary<String> badLsn = Arbitraries.oneOf(
                notHex.map(w -> w + "/0"), word.map(w -> "0/" + w + "g"), Arbitraries.just(""), Arbitraries.just("/"),
                Arbitraries.longs().between(1, Long.MAX_VALUE).map(n -> "-" + n + "/0"),
                Arbitraries.strings().withChars("0123456789ABCDEF").ofMinLength(9).ofMaxLength(20).map(h -> h + "/0"),
                Arbitraries.strings().withChars("0123456789abcdef").ofMinLength(1).ofMaxLength(8).map(h -> h));
        String[] helloFields = {"clientId", "lastLSN", "protocolVersion", "capabilities", "subscriptions", "historyId"};
        Arbitrary<BadInput> malformed = junk.filter(ProtocolFuzzIT::notJsonObject)
                .map(text -> input("malformed-json", false, Frame.text(text)));
        Arbitrary<BadInput> truncated = Arbitraries.integers().between(1, HELLO.length() - 1)
                .map(cut -> input("truncated-json", false, Frame.text(HELLO.substring(0, cut))));
        // Only values of a wrong type for the field: a string where a list or number belongs, and so on.
        Arbitrary<BadInput> wrongTypes = Arbitraries.oneOf(
                Arbitraries.oneOf(number, object, array, bool).map(v -> Map.entry("clientId", v)),
                Arbitraries.oneOf(number, object, array, bool).map(v -> Map.entry("lastLSN", v)),
                Arbitraries.oneOf(quoted, object, array, bool).map(v -> Map.entry("protocolVersion", v)),
                Arbitraries.oneOf(number, object, quoted, bool).map(v -> Map.entry("capabilities", v)),
                Arbitraries.oneOf(number, object, quoted, bool).map(v -> Map.entry("subscriptions", v)),
                Arbitraries.oneOf(number, object, array, bool).map(v -> Map.entry("historyId", v)))
                .map(e -> input("wrong-type", false, Frame.text(replaceField(HELLO, e.getKey(), e.getValue()))));
        Arbitrary<String> wrongValue = Arbitraries.oneOf(number, object, array, bool, Arbitraries.just("null"));
        Arbitrary<BadInput> typeNotString = wrongValue.map(value -> input("type-not-string", false,
                Frame.text("{\"type\":" + value + ",\"clientId\":\"fuzz\"}")));
        Arbitrary<BadInput> huge = Combinators.combine(Arbitraries.of("protocolVersion", "lastLSN"), hugeNumber)
                .as((field, value) -> input("huge-number", false, Frame.text(replaceField(HELLO, field, value))));
        Arbitrary<BadInput> hugeAck = hugeNumber.map(value -> input("huge-number-ack", true,
                Frame.text("{\"type\":\"sync_ack\",\"clientId\":\"fuzz\",\"lsn\":\"0/0\",\"status\":\"success\",\"batchId\":" + value + "}")));
        Arbitrary<BadInput> lsn = badLsn.map(value -> input("bad-lsn", false,
                Frame.text(replaceField(HELLO, "lastLSN", "\"" + value + "\""))));
        Arbitrary<BadInput> ackLsn = badLsn.map(value -> input("bad-lsn-ack", true,
                Frame.text("{\"type\":\"sync_ack\",\"clientId\":\"fuzz\",\"lsn\":\"" + value + "\",\"status\":\"success\"}")));
        Arbitrary<BadInput> unknown = word.filter(w -> !List.of("hello", "sync_ack", "sync_verify").contains(w))
                .map(w -> input("unknown-type", false, Frame.text("{\"type\":\"" + w + "\"}")));
        Arbitrary<BadInput> outOfPhase = Combinators.combine(Arbitraries.of(
                        "{\"type\":\"sync_ack\",\"clientId\":\"fuzz\",\"lsn\":\"0/%X\",\"status\":\"success\"}",
                        "{\"type\":\"sync_verify\",\"clientId\":\"fuzz\",\"lastLSN\":\"0/%X\"}",
                        "{\"type\":\"lsn_committed\",\"lsn\":\"0/%X\",\"batchId\":1}",
                        "{\"type\":\"welcome\",\"historyId\":\"h\",\"serverLsn\":\"0/%X\",\"protocolVersion\":1,\"window\":1}",
                        "{\"type\":\"sync_verify_result\",\"status\":\"up_to_date\",\"lsn\":\"0/%X\",\"serverLsn\":\"0/0\"}",
                        "{\"type\":\"changes\",\"batchId\":1,\"prevLsn\":\"0/0\",\"lsn\":\"0/%X\",\"data\":[]}"),
                Arbitraries.integers().between(0, 1 << 30))
                .as((template, n) -> input("out-of-phase", false, Frame.text(String.format(template, n))));
        Arbitrary<BadInput> secondHello = Arbitraries.integers().between(0, 1 << 30)
                .map(n -> input("hello-twice", true, Frame.text(replaceField(HELLO, "lastLSN", "\"0/" + Integer.toHexString(n) + "\""))));
        Arbitrary<BadInput> forgedAck = Arbitraries.longs().between(1L << 40, Long.MAX_VALUE)
                .map(n -> input("forged-ack", true, Frame.text("{\"type\":\"sync_ack\",\"clientId\":\"fuzz\",\"lsn\":\""
                        + Long.toHexString(n >>> 32).toUpperCase() + "/" + Long.toHexString(n & 0xFFFFFFFFL).toUpperCase()
                        + "\",\"status\":\"success\",\"batchId\":" + (n % 1000) + "}")));
        Arbitrary<BadInput> serverOnlyAfterHello = Arbitraries.integers().between(0, 1 << 30)
                .map(n -> input("server-message-from-client", true, Frame.text("{\"type\":\"changes\",\"batchId\":" + n
                        + ",\"prevLsn\":\"0/0\",\"lsn\":\"0/1\",\"data\":[]}")));
        Arbitrary<BadInput> oversized = Arbitraries.integers().between(64 * 1024 + 1, 4 * 1024 * 1024)
                .map(size -> input("oversized-frame", false, new Frame(false, 0, RawWebSocket.OP_TEXT, filled(size, 'x'), true)));
        Arbitrary<BadInput> oversizedFin = Arbitraries.integers().between(64 * 1024 + 1, 2 * 1024 * 1024)
                .map(size -> input("oversized-single-frame", false, new Frame(true, 0, RawWebSocket.OP_TEXT, filled(size, 'y'), true)));
        Arbitrary<BadInput> fragmentedOversized = Arbitraries.integers().between(5, 12).map(parts -> {
            List<Frame> frames = new ArrayList<>();
            for (int i = 0; i < parts; i++) {
                frames.add(new Frame(i == parts - 1, 0, i == 0 ? RawWebSocket.OP_TEXT : RawWebSocket.OP_CONTINUATION,
                        filled(60 * 1024, (char) ('a' + i)), true));
            }
            return new BadInput("fragmented-oversized", false, frames);
        });
        Arbitrary<BadInput> fragmentedGarbage = Combinators.combine(junk.filter(ProtocolFuzzIT::notJsonObject),
                        Arbitraries.integers().between(2, 6))
                .as((text, parts) -> {
                    List<Frame> frames = new ArrayList<>();
                    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                    int step = Math.max(1, bytes.length / parts);
                    for (int at = 0, i = 0; at < bytes.length; at += step, i++) {
                        int end = Math.min(bytes.length, at + step);
                        frames.add(new Frame(end == bytes.length, 0, i == 0 ? RawWebSocket.OP_TEXT : RawWebSocket.OP_CONTINUATION,
                                Arrays.copyOfRange(bytes, at, end), true));
                    }
                    return new BadInput("fragmented-garbage", false, frames);
                });
        Arbitrary<BadInput> binary = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(2000)
                .map(bytes -> input("binary-frame", false, new Frame(true, 0, RawWebSocket.OP_BINARY, bytes, true)));
        Arbitrary<BadInput> invalidUtf8 = Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(30),
                        Arbitraries.of(new byte[] {(byte) 0xC3, 0x28}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                                new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                                new byte[] {(byte) 0xC0, (byte) 0xAF}))
                .as((prefix, bad) -> {
                    byte[] head = ("{\"type\":\"hello\",\"clientId\":\"" + prefix).getBytes(StandardCharsets.UTF_8);
                    byte[] bytes = Arrays.copyOf(head, head.length + bad.length + 2);
                    System.arraycopy(bad, 0, bytes, head.length, bad.length);
                    bytes[bytes.length - 2] = '"';
                    bytes[bytes.length - 1] = '}';
                    return input("invalid-utf8", false, new Frame(true, 0, RawWebSocket.OP_TEXT, bytes, true));
                });
        Arbitrary<BadInput> badFraming = Combinators.combine(Arbitraries.integers().between(0, 6), word).as((kind, text) -> {
            byte[] payload = ("{\"type\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
            return switch (kind) {
                case 0 -> input("continuation-first", false, new Frame(true, 0, RawWebSocket.OP_CONTINUATION, payload, true));
                case 1 -> input("reserved-opcode", false, new Frame(true, 0, 3 + text.length() % 5, payload, true));
                case 2 -> input("rsv-bits", false, new Frame(true, 1 + text.length() % 7, RawWebSocket.OP_TEXT, payload, true));
                case 3 -> input("unmasked", false, new Frame(true, 0, RawWebSocket.OP_TEXT, payload, false));
                case 4 -> input("long-control-frame", false, new Frame(true, 0, RawWebSocket.OP_PING, filled(126 + text.length(), 'p'), true));
                case 5 -> input("fragmented-control-frame", false, new Frame(false, 0, RawWebSocket.OP_PING, payload, true));
                default -> input("reserved-control-opcode", false, new Frame(true, 0, 0xB + text.length() % 5, payload, true));
            };
        });
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, malformed), net.jqwik.api.Tuple.of(3, truncated), net.jqwik.api.Tuple.of(8, wrongTypes),
                net.jqwik.api.Tuple.of(3, typeNotString), net.jqwik.api.Tuple.of(5, huge), net.jqwik.api.Tuple.of(3, hugeAck),
                net.jqwik.api.Tuple.of(6, lsn), net.jqwik.api.Tuple.of(4, ackLsn), net.jqwik.api.Tuple.of(5, unknown),
                net.jqwik.api.Tuple.of(6, outOfPhase), net.jqwik.api.Tuple.of(3, secondHello), net.jqwik.api.Tuple.of(5, forgedAck),
                net.jqwik.api.Tuple.of(2, serverOnlyAfterHello), net.jqwik.api.Tuple.of(3, oversized), net.jqwik.api.Tuple.of(2, oversizedFin),
                net.jqwik.api.Tuple.of(2, fragmentedOversized), net.jqwik.api.Tuple.of(4, fragmentedGarbage),
                net.jqwik.api.Tuple.of(4, binary), net.jqwik.api.Tuple.of(5, invalidUtf8), net.jqwik.api.Tuple.of(8, badFraming));
    }

    @Example
    void slowlorisHandshakesAreCutAfterTheHandshakeTimeout() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        byte[] request = ("GET /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 20; i++) {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), target.server.port());
            socket.getOutputStream().write(request, 0, 10 + i);
            sockets.add(socket);
        }
        // The handshake timeout is 10 s: every one must be closed within 25 s of being opened.
        long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
        int open = 0;
        for (Socket socket : sockets) {
            try {
                socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                while (socket.getInputStream().read(new byte[1024]) >= 0) {
                    // Whatever it answers, it must end with a close.
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                open++;
            } catch (IOException reset) {
                // Closed by a reset: closed.
            } finally {
                socket.close();
            }
        }
        assertThat(open).as("slow handshakes still open after 25 s (handshake timeout 10 s)").isZero();
        distinct.add("slowloris");
    }

    @Example
    void aFloodOfBadMessagesGetsErrorsOrAPolicyCloseAndHarmsNoOne() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(target.server.port(), target.token)) {
            for (int i = 0; i < 3000; i++) {
                try {
                    ws.text("{\"type\":\"flood-" + i + "\"}");
                } catch (IOException closed) {
                    break;
                }
            }
            RawWebSocket.Answer answer = ws.await(5_000);
            assertThat(answer.hasError() || DOCUMENTED_CLOSE_CODES.contains(answer.closeCode()))
                    .as("flood answered with %s", answer).isTrue();
        }
        distinct.add("flood");
        assertThat(target.server.process().isAlive()).isTrue();
    }

    private static BadInput input(String kind, boolean afterHello, Frame frame) {
        return new BadInput(kind, afterHello, List.of(frame));
    }

    private static byte[] filled(int size, char c) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) c);
        return bytes;
    }

    private static boolean notJsonObject(String text) {
        try {
            return !StoreReader.JSON.readTree(text).isObject();
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    private static String replaceField(String json, String field, String value) {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode node = (com.fasterxml.jackson.databind.node.ObjectNode) StoreReader.JSON.readTree(json);
            node.set(field, StoreReader.JSON.readTree(value));
            return node.toString();
        } catch (IOException e) {
            // A value Jackson cannot read (a huge exponent): splice it in as text.
            return json.replaceFirst("\"" + field + "\":[^,}]*", "\"" + field + "\":" + value);
        }
    }
}
