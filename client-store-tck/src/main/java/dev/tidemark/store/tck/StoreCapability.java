package dev.tidemark.store.tck;

/**
 * What a store can do beyond the contract every store meets. A store declares its capabilities in
 * {@link SyncStoreConformanceKit#capabilities()} (all of them unless overridden); a group of the kit that
 * needs a capability the store does not declare is <em>reported as skipped</em>, with the capability named
 * as the reason, never silently passed.
 */
public enum StoreCapability {

    /**
     * Another process opening the store with the same settings reaches the same storage (a file path, a
     * database URL — not an in-process object). Needed by the durability test, which kills a second JVM
     * applying batches, and by the large-batch test. A store without it cannot be proven durable by the kit.
     */
    SHARED_ACROSS_PROCESSES("another process opening the store with the same settings reaches the same storage"),

    /**
     * {@code apply} holds a batch in bounded memory however large it is, as the SPI asks when the storage
     * can stream. Leave it out only for a store that keeps all its data in memory anyway.
     */
    STREAMS_BATCHES("apply holds a batch in bounded memory however large it is"),

    /**
     * The store refuses storage a newer version of it wrote. The kit checks it only when
     * {@link SyncStoreConformanceKit#markWrittenByNewerVersion(java.util.Map)} is overridden too.
     */
    REFUSES_NEWER_STORAGE("the store refuses storage a newer version of it wrote");

    private final String meaning;

    StoreCapability(String meaning) {
        this.meaning = meaning;
    }

    /** What declaring this capability promises, in a sentence (it names the capability in skip reasons). */
    public String meaning() {
        return meaning;
    }
}
