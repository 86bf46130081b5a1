package dev.tidemark.store.sqlite;

import dev.tidemark.store.tck.SyncStoreConformanceKit;
import java.nio.file.Path;
import java.util.Map;

class SqliteStoreConformanceTest extends SyncStoreConformanceKit {

    @Override
    protected String storeName() {
        return "sqlite";
    }

    @Override
    protected Map<String, String> newStoreConfig(Path directory) {
        return Map.of("path", directory.resolve("store.db").toString());
    }
}
