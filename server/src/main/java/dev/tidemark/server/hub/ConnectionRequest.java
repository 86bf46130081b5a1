package dev.tidemark.server.hub;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.auth.ClientGrant;
import java.time.Duration;
import java.util.Optional;

/**
 * What the endpoint learned before handing a connection to the hub.
 *
 * @param grant what the connection's token allows
 * @param legacy present for a legacy client (query parameters {@code clientId} and {@code lsn}, no
 *     {@code hello}): streamed to at once, without acks
 * @param helloTimeout how long a v1 client has to send {@code hello}
 */
public record ConnectionRequest(ClientGrant grant, Optional<LegacyStart> legacy, Duration helloTimeout) {

    public ConnectionRequest {
        requireNonNull(grant, "grant is null");
        requireNonNull(legacy, "legacy is null");
        requireNonNull(helloTimeout, "helloTimeout is null");
    }

    /**
     * A legacy client's start: its id and position from the query string.
     *
     * @param clientId the {@code clientId} query parameter
     * @param lsn the {@code lsn} query parameter ({@code 0/0} when absent)
     */
    public record LegacyStart(String clientId, Lsn lsn) {
        public LegacyStart {
            requireNonNull(clientId, "clientId is null");
            requireNonNull(lsn, "lsn is null");
        }
    }
}
