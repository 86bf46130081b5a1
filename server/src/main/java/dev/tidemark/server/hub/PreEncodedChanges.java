package dev.tidemark.server.hub;

import io.netty.buffer.ByteBuf;

/**
 * The changes of one live range as every client's batch carries them, made once for all clients: each change's
 * {@link dev.tidemark.protocol.Checksum} and its JSON object in UTF-8, as {@link dev.tidemark.protocol.MessageCodec}
 * writes it inside {@code data}. Made by {@link PreEncodedBatch#encodeChanges}; immutable, so thread-safe.
 *
 * <p>The objects are kept back to back in one array, each followed by a comma, so consecutive changes are copied
 * into a message in one go.
 */
final class PreEncodedChanges {

    private final long[] checksums;
    private final byte[] bytes;
    /** {@code ends[i]}: where change i's object and its comma end in {@link #bytes}. */
    private final int[] ends;

    PreEncodedChanges(long[] checksums, byte[] bytes, int[] ends) {
        this.checksums = checksums;
        this.bytes = bytes;
        this.ends = ends;
    }

    int size() {
        return checksums.length;
    }

    long checksum(int index) {
        return checksums[index];
    }

    /** Bytes of changes {@code from} to {@code to} (exclusive), each with its comma. */
    int length(int from, int to) {
        return start(to) - start(from);
    }

    /** Writes changes {@code from} to {@code to} (exclusive), each followed by a comma. */
    void writeTo(ByteBuf out, int from, int to) {
        out.writeBytes(bytes, start(from), length(from, to));
    }

    /** The heap bytes held. */
    long heldBytes() {
        return bytes.length + 12L * checksums.length;
    }

    private int start(int index) {
        return index == 0 ? 0 : ends[index - 1];
    }
}
