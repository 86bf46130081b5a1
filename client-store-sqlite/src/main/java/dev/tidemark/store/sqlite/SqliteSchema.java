package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's tables, created and upgraded by numbered migrations; the number of the last one applied
 * is SQLite's {@code user_version}. Each migration runs in the transaction that records it.
 *
 * <p>Layout: entities live in an ordinary (rowid) table with a unique index on (type, id), not in a
 * {@code WITHOUT ROWID} table keyed by (type, id). With random UUID ids the clustered table dirties a
 * random full-row leaf page per insert; the rowid table appends rows and dirties only the smaller
 * index pages. Measured by {@code StoreApplyBenchmark} (see docs/writing-a-store.md): the rowid layout
 * inserted random-UUID rows 1.3–1.9× faster, and sequential ones 5–7% slower.
 *
 * <p>Entity data is checked in Java (the client core's {@code dev.tidemark.protocol.EntityData})
 * before it is written, not by a {@code CHECK (json_type(data) = 'object')} or {@code json(?)}: those parse every row again in SQLite
 * and cost 7–20% of the apply throughput (measured, paired against plain inserts).
 */
final class SqliteSchema {

    /** Migration n (from 1) is element n - 1. Never edit one that shipped; add a new one. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE tidemark_entity (
                entity_type TEXT NOT NULL,
                entity_id   TEXT NOT NULL,
                data        TEXT NOT NULL
            )""",
            "CREATE UNIQUE INDEX tidemark_entity_key ON tidemark_entity (entity_type, entity_id)",
            """
            CREATE TABLE tidemark_state (
                id                 INTEGER PRIMARY KEY CHECK (id = 1),
                history_id         TEXT,
                committed_lsn      INTEGER NOT NULL,
                committed_checksum INTEGER NOT NULL,
                pending_lsn        INTEGER
            )""",
            "INSERT INTO tidemark_state (id, history_id, committed_lsn, committed_checksum, pending_lsn)"
                    + " VALUES (1, NULL, 0, 0, NULL)",
            "CREATE TABLE tidemark_metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID"));

    static final int LATEST = MIGRATIONS.size();

    private SqliteSchema() {}

    /** Brings the schema to {@link #LATEST}, or fails when the file comes from a newer version. */
    static void migrate(Connection writer, Object path) throws SQLException {
        try (Statement statement = writer.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            boolean committed = false;
            try {
                int version;
                try (ResultSet rs = statement.executeQuery("PRAGMA user_version")) {
                    rs.next();
                    version = rs.getInt(1);
                }
                if (version > LATEST) {
                    throw new SyncStoreException(StoreErrorCode.INCOMPATIBLE_SCHEMA, "the SQLite store " + path
                            + " has schema version " + version + " but this Tidemark knows only up to " + LATEST
                            + "; upgrade Tidemark, or point 'path' at another file");
                }
                for (int next = version + 1; next <= LATEST; next++) {
                    for (String sql : MIGRATIONS.get(next - 1)) {
                        statement.execute(sql);
                    }
                }
                if (version < LATEST) {
                    statement.execute("PRAGMA user_version = " + LATEST);
                }
                statement.execute("COMMIT");
                committed = true;
            } finally {
                if (!committed) {
                    statement.execute("ROLLBACK");
                }
            }
        }
    }
}
