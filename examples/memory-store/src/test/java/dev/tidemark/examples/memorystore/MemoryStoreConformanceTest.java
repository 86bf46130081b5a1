package dev.tidemark.examples.memorystore;

import dev.tidemark.store.tck.StoreCapability;
import dev.tidemark.store.tck.SyncStoreConformanceKit;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The whole conformance kit, run against the memory store: this is all a plugin author writes. */
class MemoryStoreConformanceTest extends SyncStoreConformanceKit {

    @Override
    protected String storeName() {
        return "memory";
    }

    @Override
    protected Map<String, String> newStoreConfig(Path directory) {
        return Map.of("journal", directory.resolve("store.journal").toString());
    }

    /**
     * It keeps every entity in memory, and reads a whole batch before it journals it: no
     * {@link StoreCapability#STREAMS_BATCHES}, so the large-batch group is reported as skipped.
     */
    @Override
    protected Set<StoreCapability> capabilities() {
        return EnumSet.complementOf(EnumSet.of(StoreCapability.STREAMS_BATCHES));
    }
}
