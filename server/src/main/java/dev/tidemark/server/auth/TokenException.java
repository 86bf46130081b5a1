package dev.tidemark.server.auth;

import static java.util.Objects.requireNonNull;

/** A token was refused. The message never contains the token or the secret. */
public final class TokenException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a token was refused; also the {@code reason} tag of the auth failure metric. */
    public enum Reason {
        /** No token in the {@code Authorization: Bearer} header or the {@code token} query parameter. */
        MISSING,
        /** Not two base64url parts, or a payload that is not the expected JSON. */
        MALFORMED,
        /** The signature does not match: another secret, or an altered token. */
        BAD_SIGNATURE,
        /** Past its expiry. */
        EXPIRED
    }

    private final Reason reason;

    public TokenException(Reason reason, String message) {
        super(message);
        this.reason = requireNonNull(reason, "reason is null");
    }

    public Reason reason() {
        return reason;
    }
}
