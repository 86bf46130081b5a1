package dev.tidemark.server.spi;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.time.Instant;

/**
 * What the server knows of one client: the row of {@code tidemark.client_progress}.
 *
 * @param clientId the client
 * @param ackedLsn everything up to it is durably applied by the client (for a legacy client: sent)
 * @param lastAckAt when the client last acknowledged, or {@code null}
 * @param lastError the last error the client reported, or {@code null}
 * @param connected whether the client is connected now
 * @param updatedAt when this row was last written
 */
public record ClientProgress(String clientId, Lsn ackedLsn, Instant lastAckAt, String lastError,
                             boolean connected, Instant updatedAt) {

    public ClientProgress {
        requireNonNull(clientId, "clientId is null");
        requireNonNull(ackedLsn, "ackedLsn is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }
}
