package dev.tidemark.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * The machine-readable error codes carried by {@code error} messages and {@link ProtocolException}.
 *
 * <p>On the wire a code is its lower-case name ({@code invalid_lsn}). Callers branch on the code;
 * people read the message.
 */
public enum ErrorCode {
    /** The frame is not a JSON object. */
    MALFORMED_MESSAGE,
    /** The {@code type} is missing or not one this protocol version knows. */
    UNKNOWN_TYPE,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A field has the wrong JSON type or a value outside its rules. */
    INVALID_FIELD,
    /** An LSN is not PostgreSQL's {@code X/Y} form. */
    INVALID_LSN,
    /** The message or frame is larger than the peer accepts. */
    MESSAGE_TOO_LARGE,
    /** The client asked for a protocol version the server does not speak. */
    UNSUPPORTED_VERSION,
    /** Missing, malformed, wrongly signed or expired credentials. */
    UNAUTHORIZED,
    /** The credentials do not allow this (another client id, an entity type not granted). */
    FORBIDDEN,
    /** A message arrived that is not valid in the connection's current state. */
    UNEXPECTED_MESSAGE,
    /** An ack names a position the server never sent to this client. */
    ACK_OUT_OF_RANGE,
    /** The client's position belongs to another history or is ahead of the server: resync. */
    RESYNC_REQUIRED,
    /** Too many requests of this kind; retry later. */
    RATE_LIMITED,
    /** A {@code changes} checksum did not match its data. */
    CHECKSUM_MISMATCH,
    /** The store could not apply a batch. */
    STORE_FAILURE,
    /** Something failed inside the peer; not the sender's fault. */
    INTERNAL;

    /** The code as it appears on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The code for a wire name, or empty when this version does not know it. */
    public static Optional<ErrorCode> fromWireName(String wireName) {
        for (ErrorCode code : values()) {
            if (code.wireName().equals(wireName)) {
                return Optional.of(code);
            }
        }
        return Optional.empty();
    }
}
