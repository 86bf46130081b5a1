package dev.tidemark.client;

/** When the client's position moves, and whether the server hears about it. */
public enum AckMode {
    /**
     * The default and the safe mode. The position moves only in the store transaction that applied
     * a batch, and the client sends {@code sync_ack} only after that commit; the server keeps what
     * is not acknowledged and resends it after a failure. Nothing is lost or doubled.
     */
    AFTER_COMMIT,
    /**
     * <b>Unsafe; a fallback only</b> (the seed's feature flag that turns the new LSN processing off).
     * The client declares no {@code ack} capability, so the server streams without waiting and
     * records as delivered whatever it sent; the client resumes after a reconnect from what it
     * <em>received</em>, not from what its store committed. The store still applies each batch
     * atomically and refuses gaps — when it finds one the client reconnects from its committed LSN —
     * but the server's recorded progress and its retention run ahead of the store, so a batch lost
     * between receipt and commit can only come back if the server still holds it. Use it only to
     * talk to a server that cannot handle acknowledgements.
     */
    EAGER
}
