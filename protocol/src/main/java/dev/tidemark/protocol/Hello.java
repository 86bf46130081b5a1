package dev.tidemark.protocol;

import java.util.List;

/**
 * {@code hello}, client → server: the first message of a connection.
 *
 * @param clientId the client's stable id (the token must name the same id)
 * @param lastLsn the client store's committed LSN ({@code 0/0} for a new store)
 * @param historyId the history {@code lastLsn} belongs to; {@code null} for a new store
 * @param protocolVersion the protocol version the client speaks
 * @param capabilities what the client does, e.g. {@code ack} and {@code verify}; a client without
 *     {@code ack} is streamed to as a legacy client
 * @param subscriptions the entity types wanted; empty means every type the token permits
 * @param heldEntityTypes the entity types the store holds complete (as of {@code lastLsn}), or {@code null}
 *     when the client does not say (the server then takes it to hold every type it receives). A type in
 *     {@code subscriptions} but not here is new to the store: the server sends its snapshot first.
 */
public record Hello(String clientId, Lsn lastLsn, String historyId, int protocolVersion,
                   List<String> capabilities, List<String> subscriptions, List<String> heldEntityTypes)
        implements Message {

    public static final String TYPE = "hello";
    /** Capability: the client sends {@code sync_ack} after each store commit. */
    public static final String CAPABILITY_ACK = "ack";
    /** Capability: the client understands {@code sync_verify}. */
    public static final String CAPABILITY_VERIFY = "verify";
    /**
     * Capability: the client loads a snapshot when told {@code resync_required} (it understands
     * {@code retryAfterMs} and {@code snapshotLsn} in {@code sync_verify_result}).
     */
    public static final String CAPABILITY_RESYNC = "resync";

    public Hello {
        Validation.requiredId(clientId, "clientId");
        Validation.required(lastLsn, "lastLSN");
        Validation.optionalId(historyId, "historyId");
        Validation.check(protocolVersion >= 1, "protocolVersion must be at least 1");
        capabilities = Validation.ids(capabilities, "capabilities");
        subscriptions = Validation.ids(subscriptions, "subscriptions");
        heldEntityTypes = heldEntityTypes == null ? null : Validation.ids(heldEntityTypes, "heldEntityTypes");
    }

    /** A hello that does not say which entity types the store holds. */
    public Hello(String clientId, Lsn lastLsn, String historyId, int protocolVersion, List<String> capabilities,
                 List<String> subscriptions) {
        this(clientId, lastLsn, historyId, protocolVersion, capabilities, subscriptions, null);
    }

    /** True when the client declared {@code capability}. */
    public boolean has(String capability) {
        return capabilities.contains(capability);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
