package dev.tidemark.server.http;

import static java.util.Objects.requireNonNull;

import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.hub.HubConfig;

/**
 * Everything the sync server is configured with.
 *
 * @param http the endpoint
 * @param hub streaming, flow control, batches
 * @param auth tokens
 */
public record SyncServerConfig(HttpConfig http, HubConfig hub, AuthConfig auth) {

    public SyncServerConfig {
        requireNonNull(http, "http is null");
        requireNonNull(hub, "hub is null");
        requireNonNull(auth, "auth is null");
    }
}
