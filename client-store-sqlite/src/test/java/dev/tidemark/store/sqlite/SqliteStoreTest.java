package dev.tidemark.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the conformance kit cannot see from outside: the file's settings, layout and failures to open. */
class SqliteStoreTest {

    @TempDir
    Path directory;

    private static String pragma(Connection connection, String name) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Durability.class)
    void theWriterRunsInWalModeWithTheChosenSynchronousSetting(Durability durability) throws SQLException {
        SqliteConnections connections = new SqliteConnections(
                new SqliteStoreConfig(directory.resolve("s.db"), durability, 1000));
        try (Connection writer = connections.openWriter()) {
            assertThat(pragma(writer, "journal_mode")).isEqualTo("wal");
            assertThat(pragma(writer, "synchronous")).isEqualTo(durability == Durability.FULL ? "2" : "1");
        }
    }

    @Test
    void createsTheFileAndItsDirectories() {
        Path path = directory.resolve("a/b/store.db");
        try (SyncStore store = SyncStores.open("sqlite", Map.of("path", path.toString()))) {
            store.apply(new ChangeBatch("b1", Lsn.ZERO, Lsn.of(16),
                    List.of(Change.update("t", "1", "{\"a\":1}", Instant.EPOCH))));
        }
        assertThat(path).exists();
    }

    @Test
    void keepsEntitiesInARowidTableWithAUniqueIndex() throws SQLException {
        Path path = directory.resolve("store.db");
        SyncStores.open("sqlite", Map.of("path", path.toString())).close();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + path);
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT sql FROM sqlite_master WHERE tbl_name = 'tidemark_entity' ORDER BY type DESC")) {
            rs.next();
            assertThat(rs.getString(1)).contains("CREATE TABLE tidemark_entity").doesNotContain("WITHOUT ROWID");
            rs.next();
            assertThat(rs.getString(1)).startsWith("CREATE UNIQUE INDEX tidemark_entity_key");
            assertThat(pragma(connection, "user_version")).isEqualTo(String.valueOf(SqliteSchema.LATEST));
        }
    }

    @Test
    void refusesAFileThatIsNotADatabase() throws Exception {
        Path path = directory.resolve("notes.txt");
        Files.writeString(path, "these are my notes, not a database ".repeat(200));
        assertThatThrownBy(() -> SyncStores.open("sqlite", Map.of("path", path.toString())))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.UNAVAILABLE))
                .hasMessageContaining(path.toString())
                .hasMessageContaining("not a SQLite database");
    }

    @Test
    void refusesAStoreWrittenByANewerVersion() throws SQLException {
        Path path = directory.resolve("store.db");
        SyncStores.open("sqlite", Map.of("path", path.toString())).close();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + path);
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> SyncStores.open("sqlite", Map.of("path", path.toString())))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INCOMPATIBLE_SCHEMA))
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("upgrade Tidemark");
    }

    @Test
    void aLockHeldTooLongFailsTheApplyAndChangesNothing() throws SQLException {
        Path path = directory.resolve("store.db");
        try (SyncStore store = SyncStores.open("sqlite", Map.of("path", path.toString(), "busyTimeoutMs", "50"));
                Connection other = DriverManager.getConnection("jdbc:sqlite:" + path);
                Statement statement = other.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            assertThatThrownBy(() -> store.apply(new ChangeBatch("b1", Lsn.ZERO, Lsn.of(16),
                    List.of(Change.update("t", "1", "{}", Instant.EPOCH)))))
                    .isInstanceOfSatisfying(SyncStoreException.class,
                            e -> assertThat(e.code()).isEqualTo(StoreErrorCode.STORAGE_FAILURE))
                    .hasMessageContaining("locked by another connection");
            statement.execute("ROLLBACK");

            assertThat(store.committedLsn()).isEqualTo(Lsn.ZERO);
            assertThat(store.apply(new ChangeBatch("b1", Lsn.ZERO, Lsn.of(16),
                    List.of(Change.update("t", "1", "{}", Instant.EPOCH)))).applied()).isTrue();
        }
    }
}
