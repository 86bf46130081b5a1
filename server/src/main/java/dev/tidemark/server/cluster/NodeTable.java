package dev.tidemark.server.cluster;

import static java.util.Objects.requireNonNull;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The SQL of {@code tidemark.node} (change log migration V7): one row per running node. Every statement runs on the
 * connection it is given, in auto-commit; times come from PostgreSQL's clock.
 */
public final class NodeTable {

    private static final String UPSERT = "INSERT INTO tidemark.node (name, url, heartbeat_interval_ms, capture_leader,"
            + " clients, client_ids, live_lag_bytes) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
            + " url = excluded.url, heartbeat_at = now(), heartbeat_interval_ms = excluded.heartbeat_interval_ms,"
            + " capture_leader = excluded.capture_leader, clients = excluded.clients, client_ids = excluded.client_ids,"
            + " live_lag_bytes = excluded.live_lag_bytes";
    private static final String DELETE = "DELETE FROM tidemark.node WHERE name = ?";
    private static final String PRUNE = "DELETE FROM tidemark.node WHERE heartbeat_at < now() - ? * interval '1 millisecond'";
    private static final String LIST = "SELECT name, url, started_at,"
            + " (extract(epoch FROM now() - heartbeat_at) * 1000)::bigint, heartbeat_interval_ms, capture_leader,"
            + " client_ids, live_lag_bytes FROM tidemark.node ORDER BY started_at, name";

    private NodeTable() {}

    /** True when the change log's database has {@code tidemark.node} (a change log at version 7 or later). */
    public static boolean exists(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT to_regclass('tidemark.node') IS NOT NULL")) {
            row.next();
            return row.getBoolean(1);
        }
    }

    /** Inserts the node's row, or updates it and its heartbeat time. */
    static void heartbeat(Connection connection, NodeIdentity node, String url, Duration interval, NodeReport report)
            throws SQLException {
        requireNonNull(report, "report is null");
        try (PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            statement.setString(1, node.name());
            statement.setString(2, url);
            statement.setInt(3, (int) Math.max(1, Math.min(Integer.MAX_VALUE, interval.toMillis())));
            statement.setBoolean(4, report.captureLeader());
            statement.setInt(5, report.clientIds().size());
            Array ids = connection.createArrayOf("text", report.clientIds().toArray());
            statement.setArray(6, ids);
            statement.setLong(7, report.liveLagBytes());
            statement.executeUpdate();
            ids.free();
        }
    }

    /** Removes the node's row (it stops cleanly). */
    static void remove(Connection connection, NodeIdentity node) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(DELETE)) {
            statement.setString(1, node.name());
            statement.executeUpdate();
        }
    }

    /**
     * Removes the rows of nodes whose last heartbeat is older than {@code after}.
     *
     * @return how many were removed
     */
    static int prune(Connection connection, Duration after) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(PRUNE)) {
            statement.setLong(1, after.toMillis());
            return statement.executeUpdate();
        }
    }

    /** Every recorded node, oldest first; gone ones included (see {@link NodeStatus#gone()}). */
    public static List<NodeStatus> list(Connection connection) throws SQLException {
        List<NodeStatus> nodes = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(LIST)) {
            while (row.next()) {
                Array ids = row.getArray(7);
                List<String> clientIds = ids == null ? List.of()
                        : Arrays.stream((Object[]) ids.getArray()).map(String::valueOf).sorted().toList();
                nodes.add(new NodeStatus(row.getString(1), row.getString(2),
                        row.getObject(3, OffsetDateTime.class).toInstant(), Duration.ofMillis(Math.max(0, row.getLong(4))),
                        Duration.ofMillis(row.getInt(5)), row.getBoolean(6), clientIds, row.getLong(8)));
            }
        }
        return nodes;
    }
}
