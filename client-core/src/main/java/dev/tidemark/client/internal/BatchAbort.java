package dev.tidemark.client.internal;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.ChangeSourceException;

/**
 * Why a {@link BatchStream} could not deliver the rest of its batch. Thrown into the store, which
 * rolls the batch back and rethrows it unchanged.
 */
final class BatchAbort extends ChangeSourceException {

    private static final long serialVersionUID = 1L;

    /** What cut the batch short. */
    enum Reason {
        /** The connection closed between two parts; the batch comes again after the reconnect. */
        CONNECTION_LOST,
        /** The client is closing. */
        STOPPING,
        /** A later part failed its checksum. */
        CHECKSUM_MISMATCH,
        /** The server broke the part sequence (a part missing, out of order, or of another batch). */
        PROTOCOL
    }

    private final Reason reason;

    BatchAbort(Reason reason, String message) {
        super(message);
        this.reason = requireNonNull(reason, "reason is null");
    }

    Reason reason() {
        return reason;
    }

    /** True when the server should hear about it with an error ack. */
    boolean acknowledgeAsError() {
        return reason == Reason.CHECKSUM_MISMATCH || reason == Reason.PROTOCOL;
    }
}
