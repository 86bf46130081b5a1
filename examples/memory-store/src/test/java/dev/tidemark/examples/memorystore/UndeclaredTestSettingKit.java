package dev.tidemark.examples.memorystore;

import dev.tidemark.store.tck.SyncStoreConformanceKit;
import java.nio.file.Path;
import java.util.Map;

/**
 * The kit with a test-only setting the memory store does not declare. Run only by {@link KitTestSettingsTest};
 * its name keeps Surefire from running it on its own.
 */
class UndeclaredTestSettingKit extends SyncStoreConformanceKit {

    @Override
    protected String storeName() {
        return "memory";
    }

    @Override
    protected Map<String, String> newStoreConfig(Path directory) {
        return Map.of("journal", directory.resolve("store.journal").toString());
    }

    @Override
    protected Map<String, String> testSettings() {
        return Map.of("pageSize", "2");
    }
}
