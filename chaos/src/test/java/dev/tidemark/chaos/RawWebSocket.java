package dev.tidemark.chaos;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * A WebSocket client on a plain socket that sends exactly the bytes it is told to, right or wrong: any opcode,
 * RSV bits, unmasked frames, declared lengths, invalid UTF-8, fragments. What a fuzzer needs and a real client
 * library refuses to do.
 */
final class RawWebSocket implements AutoCloseable {

    /** What the server answered: its text messages, and its close code (-1: the connection dropped without one). */
    record Answer(List<String> texts, int closeCode, boolean stillOpen) {
        boolean hasError() {
            return texts.stream().anyMatch(text -> text.contains("\"type\":\"error\""));
        }
    }

    static final int OP_CONTINUATION = 0;
    static final int OP_TEXT = 1;
    static final int OP_BINARY = 2;
    static final int OP_CLOSE = 8;
    static final int OP_PING = 9;

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final Random random = new Random();

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    static RawWebSocket connect(int port, String token) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        RawWebSocket ws = new RawWebSocket(socket);
        byte[] key = new byte[16];
        ws.random.nextBytes(key);
        String request = "GET /sync HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
        ws.out.write(request.getBytes(StandardCharsets.US_ASCII));
        ws.out.flush();
        socket.setSoTimeout(10_000);
        String status = ws.readHttpHead();
        if (!status.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("upgrade refused: " + status);
        }
        return ws;
    }

    private String readHttpHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed during the upgrade");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        return text.substring(0, text.indexOf('\r'));
    }

    void text(String text) throws IOException {
        frame(true, OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    void frame(boolean fin, int opcode, byte[] payload) throws IOException {
        frame(fin, 0, opcode, payload, true);
    }

    /** Any frame: {@code rsv} is the three reserved bits (0..7); {@code masked} false sends it unmasked. */
    void frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 0xF));
        int mask = masked ? 0x80 : 0;
        if (payload.length < 126) {
            frame.write(mask | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.write(mask | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(mask | 127);
            long length = payload.length;
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (length >>> shift) & 0xFF);
            }
        }
        out.write(frame.toByteArray());
        if (masked) {
            byte[] key = new byte[4];
            random.nextBytes(key);
            out.write(key);
            byte[] maskedPayload = payload.clone();
            for (int i = 0; i < maskedPayload.length; i++) {
                maskedPayload[i] ^= key[i & 3];
            }
            writeQuietly(maskedPayload);
        } else {
            writeQuietly(payload);
        }
        out.flush();
    }

    /** The server may close before a large payload is all written; what it answered is what counts. */
    private void writeQuietly(byte[] bytes) throws IOException {
        try {
            out.write(bytes);
        } catch (IOException e) {
            if (bytes.length < 64 * 1024) {
                throw e;
            }
        }
    }

    void raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads until an {@code error} message or a close frame, or until {@code millis} pass. Pings are answered.
     */
    Answer await(long millis) throws IOException {
        List<String> texts = new ArrayList<>();
        long deadline = System.currentTimeMillis() + millis;
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (System.currentTimeMillis() < deadline) {
            socket.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
            int first;
            try {
                first = in.read();
            } catch (SocketTimeoutException timeout) {
                break;
            } catch (IOException reset) {
                return new Answer(texts, -1, false);
            }
            if (first < 0) {
                return new Answer(texts, -1, false);
            }
            try {
                int opcode = first & 0xF;
                int second = in.readUnsignedByte();
                long length = second & 0x7F;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                if (opcode == OP_CLOSE) {
                    int code = payload.length >= 2 ? (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF) : 1005;
                    return new Answer(texts, code, false);
                }
                if (opcode == OP_PING) {
                    frame(true, 0xA, payload);
                    continue;
                }
                if (opcode == OP_TEXT || opcode == OP_CONTINUATION) {
                    message.write(payload);
                    if ((first & 0x80) != 0) {
                        texts.add(message.toString(StandardCharsets.UTF_8));
                        message.reset();
                        if (texts.get(texts.size() - 1).contains("\"type\":\"error\"")) {
                            return new Answer(texts, 0, true);
                        }
                    }
                }
            } catch (IOException dropped) {
                return new Answer(texts, -1, false);
            }
        }
        return new Answer(texts, 0, true);
    }

    /** True when the server closed the connection within {@code millis}. */
    boolean closedWithin(long millis) throws IOException {
        socket.setSoTimeout((int) millis);
        InputStream stream = socket.getInputStream();
        try {
            byte[] buffer = new byte[4096];
            long deadline = System.currentTimeMillis() + millis;
            while (System.currentTimeMillis() < deadline) {
                if (stream.read(buffer) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException timeout) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closed already.
        }
    }
}
