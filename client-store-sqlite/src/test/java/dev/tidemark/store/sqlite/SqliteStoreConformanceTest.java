package dev.tidemark.store.sqlite;

import dev.tidemark.store.tck.SyncStoreConformanceKit;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
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

    @Override
    protected boolean markWrittenByNewerVersion(Map<String, String> config) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + config.get("path"));
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA user_version = 1000");
        }
        return true;
    }
}
