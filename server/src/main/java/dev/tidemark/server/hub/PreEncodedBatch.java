package dev.tidemark.server.hub;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;

/**
 * Writes a live {@code changes} message from changes encoded once per change ({@link PreEncodedChanges}) instead
 * of encoding every change again for every client, byte for byte as {@link MessageCodec#encode} writes it.
 *
 * <p>The codec stays the only writer of the wire format: {@code data} is a message's last field, so the codec's
 * text of the message with no changes, less its closing {@code ]}}, is the header (type, batch id, positions,
 * checksum, part and snapshot fields as the codec writes them), and the change objects are cut out of the codec's
 * text of a message holding all of a range's changes (the codec writes a change the same wherever it stands), at
 * the commas between them. Text is turned into UTF-8 the way the codec path does ({@link ByteBufUtil#writeUtf8}),
 * in pieces cut at ASCII punctuation, so the bytes are the same. Thread-safe.
 */
final class PreEncodedBatch {

    private static final String END = "]}";

    private final MessageCodec codec;
    /** The codec's text of a one-change message up to its change. */
    private final String changePrefix;

    PreEncodedBatch(MessageCodec codec) {
        this.codec = codec;
        this.changePrefix = header(codec.encode(carrier(List.of())));
        if (changePrefix == null) {
            throw new IllegalStateException("the codec no longer writes data as the last field of a changes message");
        }
    }

    /** Each change's checksum and encoded object, made once for every client that receives them. */
    PreEncodedChanges encodeChanges(List<Change> changes) {
        int count = changes.size();
        long[] checksums = new long[count];
        for (int i = 0; i < count; i++) {
            checksums[i] = Checksum.of(changes.get(i));
        }
        int[] ends = new int[count];
        ByteBuf bytes = Unpooled.buffer(count * 192);
        try {
            String text = dataIsWhole(changes) ? codec.encode(carrier(changes)) : null;
            int[] objectEnds = text == null ? null : objectEnds(text, count);
            int start = changePrefix.length();
            for (int i = 0; i < count; i++) {
                if (objectEnds != null) {
                    ByteBufUtil.writeUtf8(bytes, text, start, objectEnds[i]);
                    start = objectEnds[i] + 1;
                } else {
                    writeAlone(bytes, changes.get(i));
                }
                bytes.writeByte(',');
                ends[i] = bytes.writerIndex();
            }
            return new PreEncodedChanges(checksums, ByteBufUtil.getBytes(bytes), ends);
        } finally {
            bytes.release();
        }
    }

    /** Writes the object of {@code change}, cut out of the codec's text of a message holding it alone. */
    private void writeAlone(ByteBuf bytes, Change change) {
        String text = codec.encode(carrier(List.of(change)));
        if (!text.startsWith(changePrefix) || !text.endsWith(END)) {
            throw new IllegalStateException("the codec wrote a one-change message in an unexpected form");
        }
        ByteBufUtil.writeUtf8(bytes, text, changePrefix.length(), text.length() - END.length());
    }

    /**
     * Whether every change's data (written by the codec as it is) is one whole JSON object or array, so cutting the
     * codec's text at the commas between the changes' objects cuts exactly there; the codec escapes everything else.
     */
    private static boolean dataIsWhole(List<Change> changes) {
        for (Change change : changes) {
            String data = change.data();
            if (data != null && (data.isEmpty() || (data.charAt(0) != '{' && data.charAt(0) != '[')
                    || endOfValue(data, 0) != data.length())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where each of the {@code count} change objects in the codec's text of a message ends (exclusive): they follow
     * the header back to back, separated by commas, and the text ends with {@code ]}} after the last; null when the
     * text is not so.
     */
    private int[] objectEnds(String text, int count) {
        if (!text.startsWith(changePrefix)) {
            return null;
        }
        int[] ends = new int[count];
        int at = changePrefix.length();
        for (int n = 0; n < count; n++) {
            if (n > 0 && (at >= text.length() || text.charAt(at++) != ',')) {
                return null;
            }
            if (at >= text.length() || text.charAt(at) != '{') {
                return null;
            }
            at = endOfValue(text, at);
            if (at < 0) {
                return null;
            }
            ends[n] = at;
        }
        return at + END.length() == text.length() && text.startsWith(END, at) ? ends : null;
    }

    /** The end (exclusive) of the JSON object or array starting at {@code start}, or -1. */
    private static int endOfValue(String text, int start) {
        int depth = 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                i = closingQuote(text, i);
                if (i < 0) {
                    return -1;
                }
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    /** The index of the quote that closes the string opened at {@code open}, or -1. */
    private static int closingQuote(String text, int open) {
        int quote = open;
        while (true) {
            quote = text.indexOf('"', quote + 1);
            if (quote < 0) {
                return -1;
            }
            int backslashes = 0;
            while (text.charAt(quote - 1 - backslashes) == '\\') {
                backslashes++;
            }
            if (backslashes % 2 == 0) {
                return quote;
            }
        }
    }

    /**
     * {@code message} encoded as the codec would, from the pre-encoded changes of its data: rows {@code from} to
     * {@code from + message.data().size()} of {@code span}. The caller owns the buffer.
     */
    ByteBuf encode(ByteBufAllocator alloc, Changes message, LiveSpan span, int from) {
        String text = codec.encode(new Changes(message.batchId(), message.prevLsn(), message.lsn(), message.checksum(),
                message.part(), message.last(), List.of(), message.snapshot()));
        String header = header(text);
        if (header == null) {
            return ByteBufUtil.writeUtf8(alloc, codec.encode(message));
        }
        int to = from + message.data().size();
        int changes = span.encodedLength(from, to);
        ByteBuf out = alloc.buffer(ByteBufUtil.utf8Bytes(header) + changes + END.length());
        ByteBufUtil.writeUtf8(out, header);
        span.writeEncoded(out, from, to);
        if (changes > 0) {
            out.writerIndex(out.writerIndex() - 1); // the last change's comma
        }
        out.writeByte(']').writeByte('}');
        return out;
    }

    /** The text of a message with no changes up to and including the opening of {@code data}, or null. */
    private static String header(String emptyMessage) {
        return emptyMessage.endsWith("\"data\":[" + END)
                ? emptyMessage.substring(0, emptyMessage.length() - END.length()) : null;
    }

    private static Changes carrier(List<Change> changes) {
        return new Changes("0", Lsn.ZERO, Lsn.ZERO, 0, null, null, changes);
    }
}
