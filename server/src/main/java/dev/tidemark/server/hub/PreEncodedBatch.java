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
 * checksum, part and snapshot fields as the codec writes them), and a change's object is the codec's text of a
 * one-change message between that message's header and its {@code ]}}. Text is turned into UTF-8 the way the
 * codec path does ({@link ByteBufUtil#writeUtf8}), at positions of ASCII punctuation, so the bytes are the same.
 * Thread-safe.
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
        long[] checksums = new long[changes.size()];
        int[] ends = new int[changes.size()];
        ByteBuf bytes = Unpooled.buffer(changes.size() * 192);
        try {
            for (int i = 0; i < changes.size(); i++) {
                Change change = changes.get(i);
                checksums[i] = Checksum.of(change);
                String text = codec.encode(carrier(List.of(change)));
                if (!text.startsWith(changePrefix) || !text.endsWith(END)) {
                    throw new IllegalStateException("the codec wrote a one-change message in an unexpected form");
                }
                ByteBufUtil.writeUtf8(bytes, text, changePrefix.length(), text.length() - END.length());
                bytes.writeByte(',');
                ends[i] = bytes.writerIndex();
            }
            return new PreEncodedChanges(checksums, ByteBufUtil.getBytes(bytes), ends);
        } finally {
            bytes.release();
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
        return emptyMessage.endsWith("\"data\":[" + END) ? emptyMessage.substring(0, emptyMessage.length() - END.length())
                : null;
    }

    private static Changes carrier(List<Change> changes) {
        return new Changes("0", Lsn.ZERO, Lsn.ZERO, 0, null, null, changes);
    }
}
