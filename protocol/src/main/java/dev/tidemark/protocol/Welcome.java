package dev.tidemark.protocol;

import java.util.List;

/**
 * {@code welcome}, server → client: the answer to {@code hello}.
 *
 * @param historyId the server's current history
 * @param serverLsn the server's capture position: everything up to it is in its change history
 * @param protocolVersion the protocol version the server will speak on this connection
 * @param window how many unacknowledged batches the server sends ahead
 * @param incompleteEntityTypes the client's entity types whose captured history is incomplete now (the
 *     server cannot capture them correctly): the client's copy of them is not the source's; empty when none
 */
public record Welcome(String historyId, Lsn serverLsn, int protocolVersion, int window,
                      List<String> incompleteEntityTypes) implements Message {

    public static final String TYPE = "welcome";

    public Welcome {
        Validation.requiredId(historyId, "historyId");
        Validation.required(serverLsn, "serverLsn");
        Validation.check(protocolVersion >= 1, "protocolVersion must be at least 1");
        Validation.check(window >= 1, "window must be at least 1");
        incompleteEntityTypes = incompleteEntityTypes == null ? List.of() : List.copyOf(incompleteEntityTypes);
    }

    /** A welcome that reports no incomplete entity type. */
    public Welcome(String historyId, Lsn serverLsn, int protocolVersion, int window) {
        this(historyId, serverLsn, protocolVersion, window, List.of());
    }

    @Override
    public String type() {
        return TYPE;
    }
}
