package dev.tidemark.server.hub;

import dev.tidemark.protocol.Changes;
import io.netty.buffer.ByteBuf;

/**
 * A {@code changes} message waiting to be written, with its encoding when it was written already (a live batch:
 * shared with other clients, or made from its changes' encodings).
 *
 * @param message the message
 * @param encoded its encoding (this client's reference), or {@code null} to encode when written
 */
record Outgoing(Changes message, ByteBuf encoded) {

    /** True when this message begins a batch (a single-part batch or part 1). */
    boolean startsBatch() {
        return message.part() == null || message.part() == 1;
    }

    void release() {
        if (encoded != null) {
            encoded.release();
        }
    }
}
