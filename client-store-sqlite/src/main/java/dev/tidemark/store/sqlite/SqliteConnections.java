package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/** Opens connections to the store's file, set up for writing or for reading. */
final class SqliteConnections {

    private final SqliteStoreConfig config;
    private final String url;

    SqliteConnections(SqliteStoreConfig config) {
        this.config = config;
        this.url = "jdbc:sqlite:" + config.path().toAbsolutePath();
    }

    /**
     * The one writing connection: WAL, the configured {@code synchronous}, {@code tidemark_merge}.
     * It stays in JDBC auto-commit mode; the store brackets its transactions with
     * {@code BEGIN IMMEDIATE} and {@code COMMIT} itself.
     */
    Connection openWriter() throws SQLException {
        SQLiteConfig settings = common();
        settings.setJournalMode(SQLiteConfig.JournalMode.WAL);
        settings.setSynchronous(config.durability() == Durability.FULL
                ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        Connection connection = open(settings);
        try {
            MergeFunction.register(connection);
            // The one rule depends on these two: check that they took effect.
            expect(connection, "journal_mode", "wal");
            expect(connection, "synchronous", config.durability() == Durability.FULL ? "2" : "1");
            return connection;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private void expect(Connection connection, String pragma, String expected) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("PRAGMA " + pragma)) {
            String actual = rs.next() ? rs.getString(1) : null;
            if (!expected.equalsIgnoreCase(actual)) {
                throw new SyncStoreException(StoreErrorCode.UNAVAILABLE, "SQLite refused " + pragma + "=" + expected
                        + " for " + config.path() + " (it is " + actual + "); put the store on a local file system");
            }
        }
    }

    /** A reading connection. In WAL mode readers never block the writer, and see committed transactions only. */
    Connection openReader() throws SQLException {
        return open(common());
    }

    private SQLiteConfig common() {
        SQLiteConfig settings = new SQLiteConfig();
        settings.setBusyTimeout(config.busyTimeoutMs());
        settings.enforceForeignKeys(false);
        return settings;
    }

    private Connection open(SQLiteConfig settings) throws SQLException {
        SQLiteConnection connection = (SQLiteConnection) settings.createConnection(url);
        connection.setAutoCommit(true);
        return connection;
    }
}
