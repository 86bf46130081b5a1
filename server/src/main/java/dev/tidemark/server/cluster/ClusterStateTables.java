package dev.tidemark.server.cluster;

import dev.tidemark.server.hub.ClusterState.RequestKind;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The SQL of the hub state the nodes share, in the change log's schema {@code tidemark} (migration {@code V6}):
 * {@code client_session} (which session serves each client), {@code client_request} (per-client rate limits) and
 * the resync pacer ({@code resync_pacer}, {@code resync_waiting}, function {@code admit_resync}). Each operation is
 * one statement, atomic on its own.
 */
final class ClusterStateTables {

    /** The channel a claim notifies, with {@code '<claim> <client id>'} as payload. */
    static final String CHANNEL = "tidemark_session";

    private static final String CLAIM = """
            WITH claimed AS (
                INSERT INTO tidemark.client_session AS s (client_id, claim, node, session, since)
                VALUES (?, nextval('tidemark.client_session_claim'), ?, ?, clock_timestamp())
                ON CONFLICT (client_id) DO UPDATE
                    SET claim = excluded.claim, node = excluded.node, session = excluded.session, since = excluded.since
                    WHERE s.claim < excluded.claim
                RETURNING client_id, claim)
            SELECT claim, pg_notify('%s', claim || ' ' || client_id) FROM claimed
            """.formatted(CHANNEL);

    private static final String CLAIMS = "SELECT client_id, claim FROM tidemark.client_session WHERE client_id = ANY(?)";

    private static final String ALLOW = """
            WITH previous AS (
                SELECT last_at FROM tidemark.client_request WHERE client_id = ? AND kind = ?),
            allowed AS (
                INSERT INTO tidemark.client_request AS r (client_id, kind, last_at) VALUES (?, ?, clock_timestamp())
                ON CONFLICT (client_id, kind) DO UPDATE SET last_at = excluded.last_at
                    WHERE r.last_at <= excluded.last_at - make_interval(secs => ?)
                RETURNING 1)
            SELECT (SELECT count(*) FROM allowed),
                   (SELECT EXTRACT(EPOCH FROM last_at + make_interval(secs => ?) - clock_timestamp()) FROM previous)
            """;

    private static final String ADMIT_RESYNC = "SELECT tidemark.admit_resync(?, ?, ?)";

    private static final String WAITING = "SELECT count(*) FROM tidemark.resync_waiting WHERE come_back_at >= now() - interval '1 minute'";

    private ClusterStateTables() {}

    /** Claims {@code clientId}; empty when a newer claim holds it. Notifies {@link #CHANNEL} on commit. */
    static OptionalLong claim(Connection connection, String clientId, String node, String session) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(CLAIM)) {
            statement.setString(1, clientId);
            statement.setString(2, node);
            statement.setString(3, session);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** The current claims of {@code clientIds} (clients without a claim are left out). */
    static Map<String, Long> claims(Connection connection, Set<String> clientIds) throws SQLException {
        Map<String, Long> claims = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(CLAIMS)) {
            Array ids = connection.createArrayOf("text", clientIds.toArray());
            statement.setArray(1, ids);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    claims.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return claims;
    }

    /**
     * Allows one request of {@code kind} of {@code clientId} when its last allowed one is at least
     * {@code interval} old.
     *
     * @return empty when allowed, else the seconds until it would be
     */
    static OptionalDouble allow(Connection connection, String clientId, RequestKind kind, Duration interval)
            throws SQLException {
        double seconds = interval.toNanos() / 1e9;
        try (PreparedStatement statement = connection.prepareStatement(ALLOW)) {
            statement.setString(1, clientId);
            statement.setString(2, kind.wireName());
            statement.setString(3, clientId);
            statement.setString(4, kind.wireName());
            statement.setDouble(5, seconds);
            statement.setDouble(6, seconds);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                if (rows.getLong(1) > 0) {
                    return OptionalDouble.empty();
                }
                double wait = rows.getDouble(2);
                return OptionalDouble.of(rows.wasNull() ? seconds : wait);
            }
        }
    }

    /** Asks the pacer to start a resync of {@code clientId}: 0 when admitted, else the seconds to come back in. */
    static double admitResync(Connection connection, String clientId, double ratePerSecond, int burst)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(ADMIT_RESYNC)) {
            statement.setString(1, clientId);
            statement.setDouble(2, ratePerSecond);
            statement.setInt(3, burst);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getDouble(1);
            }
        }
    }

    /** Clients told to come back for a resync (not more than a minute late). */
    static int waiting(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(WAITING);
             ResultSet rows = statement.executeQuery()) {
            rows.next();
            return (int) Math.min(Integer.MAX_VALUE, rows.getLong(1));
        }
    }
}
