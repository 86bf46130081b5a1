package dev.tidemark.server.auth;

import static java.util.Objects.requireNonNull;

import java.time.Clock;

/**
 * Decides what a connection may do from the token it presented. With auth disabled every connection
 * gets {@link ClientGrant#anyone()}. Thread-safe.
 */
public final class Authenticator {

    private final TokenSigner signer;

    public Authenticator(AuthConfig config, Clock clock) {
        requireNonNull(config, "config is null");
        this.signer = config.enabled() ? new TokenSigner(config.secret(), clock) : null;
    }

    /** True when tokens are checked. */
    public boolean enabled() {
        return signer != null;
    }

    /**
     * @param token the bearer token, or {@code null} when none was presented
     * @throws TokenException when auth is enabled and the token is missing or not valid
     */
    public ClientGrant authenticate(String token) throws TokenException {
        if (signer == null) {
            return ClientGrant.anyone();
        }
        return signer.verify(token).grant();
    }
}
