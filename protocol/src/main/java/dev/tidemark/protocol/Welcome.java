package dev.tidemark.protocol;

/**
 * {@code welcome}, server → client: the answer to {@code hello}.
 *
 * @param historyId the server's current history
 * @param serverLsn the server's capture position: everything up to it is in its change history
 * @param protocolVersion the protocol version the server will speak on this connection
 * @param window how many unacknowledged batches the server sends ahead
 */
public record Welcome(String historyId, Lsn serverLsn, int protocolVersion, int window) implements Message {

    public static final String TYPE = "welcome";

    public Welcome {
        Validation.requiredId(historyId, "historyId");
        Validation.required(serverLsn, "serverLsn");
        Validation.check(protocolVersion >= 1, "protocolVersion must be at least 1");
        Validation.check(window >= 1, "window must be at least 1");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
