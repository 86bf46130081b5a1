package dev.tidemark.server.changelog.postgres;

import java.util.Arrays;

/**
 * Rows in PostgreSQL's {@code COPY ... FROM STDIN} text format, encoded as UTF-8: columns separated
 * by tabs, rows ended by newlines, {@code \N} for NULL, and backslash, tab, newline and carriage
 * return escaped in values. Not thread-safe; reuse it with {@link #clear()}.
 */
final class CopyBuffer {

    private byte[] bytes;
    private int length;
    private boolean rowStarted;

    CopyBuffer(int initialCapacity) {
        bytes = new byte[Math.max(initialCapacity, 64)];
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    void clear() {
        length = 0;
        rowStarted = false;
    }

    /** Appends a text value, or NULL for {@code null}. */
    CopyBuffer text(String value) {
        separator();
        if (value == null) {
            ensure(2);
            bytes[length++] = '\\';
            bytes[length++] = 'N';
            return this;
        }
        int n = value.length();
        // At most 3 bytes per char: an escape is 2, a surrogate pair is 4 for 2 chars.
        ensure(3 * n);
        byte[] out = bytes;
        int at = length;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '\\' -> {
                        out[at++] = '\\';
                        out[at++] = '\\';
                    }
                    case '\t' -> {
                        out[at++] = '\\';
                        out[at++] = 't';
                    }
                    case '\n' -> {
                        out[at++] = '\\';
                        out[at++] = 'n';
                    }
                    case '\r' -> {
                        out[at++] = '\\';
                        out[at++] = 'r';
                    }
                    default -> out[at++] = (byte) c;
                }
            } else if (c < 0x800) {
                out[at++] = (byte) (0xC0 | c >> 6);
                out[at++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                int codePoint = Character.toCodePoint(c, value.charAt(++i));
                out[at++] = (byte) (0xF0 | codePoint >> 18);
                out[at++] = (byte) (0x80 | codePoint >> 12 & 0x3F);
                out[at++] = (byte) (0x80 | codePoint >> 6 & 0x3F);
                out[at++] = (byte) (0x80 | codePoint & 0x3F);
            } else if (Character.isSurrogate(c)) {
                // An unpaired surrogate cannot be encoded; Java's own encoder writes '?' too.
                out[at++] = '?';
            } else {
                out[at++] = (byte) (0xE0 | c >> 12);
                out[at++] = (byte) (0x80 | c >> 6 & 0x3F);
                out[at++] = (byte) (0x80 | c & 0x3F);
            }
        }
        length = at;
        return this;
    }

    /** Appends a number. */
    CopyBuffer number(long value) {
        return ascii(Long.toString(value));
    }

    /** Appends text known to hold only ASCII characters that need no escaping. */
    CopyBuffer ascii(String value) {
        separator();
        int n = value.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[length++] = (byte) value.charAt(i);
        }
        return this;
    }

    /** Ends the current row. */
    void endRow() {
        ensure(1);
        bytes[length++] = '\n';
        rowStarted = false;
    }

    private void separator() {
        if (rowStarted) {
            ensure(1);
            bytes[length++] = '\t';
        }
        rowStarted = true;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
