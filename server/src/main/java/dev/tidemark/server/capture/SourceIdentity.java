package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Who the source is, from {@code IDENTIFY_SYSTEM} on a replication connection.
 *
 * @param systemId the cluster's system identifier (new for every {@code initdb})
 * @param timeline the current timeline (moves on a point-in-time restore or a promotion)
 * @param walPosition the current WAL flush position
 * @param database the database the connection is in
 */
record SourceIdentity(String systemId, int timeline, Lsn walPosition, String database) {

    SourceIdentity {
        requireNonNull(systemId, "systemId is null");
        requireNonNull(walPosition, "walPosition is null");
        requireNonNull(database, "database is null");
    }

    static SourceIdentity identify(Connection replicationConnection) throws SQLException {
        try (Statement statement = replicationConnection.createStatement();
                ResultSet row = statement.executeQuery("IDENTIFY_SYSTEM")) {
            row.next();
            return new SourceIdentity(row.getString("systemid"), row.getInt("timeline"),
                    Lsn.parse(row.getString("xlogpos")), row.getString("dbname"));
        }
    }
}
