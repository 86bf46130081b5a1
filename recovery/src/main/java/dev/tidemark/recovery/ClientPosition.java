package dev.tidemark.recovery;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.util.OptionalLong;

/**
 * Where a client says it is.
 *
 * @param historyId the history its LSN belongs to, or {@code null} for a new store
 * @param lsn its committed LSN
 * @param checksum its running checksum over everything it applied, when it sent one
 */
public record ClientPosition(String historyId, Lsn lsn, OptionalLong checksum) {

    public ClientPosition {
        requireNonNull(lsn, "lsn is null");
        requireNonNull(checksum, "checksum is null");
    }

    /** A client that keeps no checksum. */
    public static ClientPosition of(String historyId, Lsn lsn) {
        return new ClientPosition(historyId, lsn, OptionalLong.empty());
    }
}
