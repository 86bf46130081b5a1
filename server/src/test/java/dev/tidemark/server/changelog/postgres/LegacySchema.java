package dev.tidemark.server.changelog.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Puts back the version record of a server before Flyway: {@code tidemark.schema_version}, no Flyway history. */
final class LegacySchema {

    private LegacySchema() {}

    /** Records versions 1 to {@code version} the way the hand-kept migrations did, and drops Flyway's history. */
    static void recordVersion(Connection connection, int version) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("DROP TABLE tidemark.flyway_schema_history");
            s.execute("DROP TABLE IF EXISTS tidemark.schema_version");
            s.execute("CREATE TABLE tidemark.schema_version (version integer PRIMARY KEY, description text NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
            s.execute("INSERT INTO tidemark.schema_version (version, description)"
                    + " SELECT v, 'version ' || v FROM generate_series(1, " + version + ") v");
        }
    }
}
