package dev.tidemark.server.auth;

import java.nio.charset.StandardCharsets;

/**
 * Whether the sync endpoint checks tokens, and the secret it signs and verifies them with.
 *
 * <p>Auth is on by default. Turning it off (the demo) lets any client connect as any client id and
 * read every entity type. The secret never appears in {@link #toString()} or a log line.
 *
 * @param enabled whether tokens are required
 * @param secret the HMAC-SHA256 key as text, at least {@value #MIN_SECRET_BYTES} bytes in UTF-8;
 *     {@code null} only when auth is disabled
 */
public record AuthConfig(boolean enabled, String secret) {

    /** Shortest secret accepted: the size of the HMAC-SHA256 output. */
    public static final int MIN_SECRET_BYTES = 32;

    public AuthConfig {
        if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the auth secret is too short: use at least " + MIN_SECRET_BYTES
                    + " bytes, e.g. the output of `openssl rand -base64 48`");
        }
        if (enabled && secret == null) {
            throw new IllegalArgumentException("auth is enabled but no secret is set: set the auth secret"
                    + " (at least " + MIN_SECRET_BYTES + " bytes), or disable auth for a demo");
        }
    }

    /** Auth on, with {@code secret}. */
    public static AuthConfig withSecret(String secret) {
        return new AuthConfig(true, secret);
    }

    /** Auth off: every client may connect as any id and read everything. For demos only. */
    public static AuthConfig disabled() {
        return new AuthConfig(false, null);
    }

    /** The secret as key bytes. */
    byte[] secretBytes() {
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "AuthConfig[enabled=" + enabled + ", secret=" + (secret == null ? "none" : "***") + "]";
    }
}
