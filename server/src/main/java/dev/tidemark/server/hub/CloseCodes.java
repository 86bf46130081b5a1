package dev.tidemark.server.hub;

/** WebSocket close codes the server uses (RFC 6455 section 7.4.1). */
public final class CloseCodes {

    /**
     * The server is done with the connection: another connection of the client took over, the resend retry limit
     * was reached, a legacy client must resync, a resync is paced.
     */
    public static final int NORMAL = 1000;
    /** Idle timeout or server shutdown. */
    public static final int GOING_AWAY = 1001;
    /** Broken framing (the WebSocket decoder), an unsupported protocol version. */
    public static final int PROTOCOL_ERROR = 1002;
    /** A binary frame: the protocol is JSON text. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** The {@code hello} names another client than the token's. */
    public static final int POLICY_VIOLATION = 1008;
    /** A frame or message above the configured limit. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** The server failed (e.g. the change log could not be read). */
    public static final int INTERNAL_ERROR = 1011;
    /** The server is not ready (no change history yet), or no {@code hello} arrived in time; reconnect later. */
    public static final int TRY_AGAIN_LATER = 1013;

    private CloseCodes() {}
}
