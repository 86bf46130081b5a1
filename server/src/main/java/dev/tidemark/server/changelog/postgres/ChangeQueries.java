package dev.tidemark.server.changelog.postgres;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The reading side of the change log. Every query bounds itself by the capture position read in the
 * same statement, so it sees a consistent snapshot and never a change past the position.
 */
final class ChangeQueries {

    private static final String CAPTURE_POSITION =
            "(SELECT capture_position FROM tidemark.history_state WHERE id = 1)";

    private ChangeQueries() {}

    static List<LoggedChange> read(Connection connection, LogPosition after, Lsn upTo, Set<String> entityTypes,
                                   int limit) throws SQLException {
        if (limit <= 0) {
            return List.of();
        }
        // Every visible change belongs to a complete transaction, whose row holds its commit time.
        String sql = "SELECT c.lsn::text, c.seq, c.xid, c.op, c.entity_type, c.entity_id, c.data, t.committed_at, c.from_id"
                + " FROM tidemark.change_history c JOIN tidemark.change_transaction t ON t.lsn = c.lsn"
                + " WHERE (c.lsn, c.seq) > (?::pg_lsn, ?) AND c.lsn <= LEAST(?::pg_lsn, " + CAPTURE_POSITION + ")"
                + (entityTypes.isEmpty() ? "" : " AND c.entity_type = ANY(?)")
                + " ORDER BY c.lsn, c.seq LIMIT ?";
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            int parameter = 1;
            select.setString(parameter++, after.lsn().toString());
            select.setInt(parameter++, after.seq());
            select.setString(parameter++, upTo.toString());
            if (!entityTypes.isEmpty()) {
                select.setArray(parameter++, connection.createArrayOf("text", entityTypes.toArray()));
            }
            select.setInt(parameter, limit);
            List<LoggedChange> changes = new ArrayList<>(Math.min(limit, 1024));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    Change change = new Change(ChangeType.fromWireName(rows.getString(4)), rows.getString(5),
                            rows.getString(6), rows.getString(7), rows.getObject(8, OffsetDateTime.class).toInstant(),
                            rows.getString(9));
                    changes.add(new LoggedChange(Lsn.parse(rows.getString(1)), rows.getInt(2), rows.getLong(3), change));
                }
            }
            return changes;
        }
    }

    static Optional<Lsn> nextTransaction(Connection connection, Lsn after, Lsn upTo, Set<String> entityTypes)
            throws SQLException {
        String sql = "SELECT lsn::text FROM tidemark.change_transaction"
                + " WHERE lsn > ?::pg_lsn AND lsn <= LEAST(?::pg_lsn, " + CAPTURE_POSITION + ")"
                + (entityTypes.isEmpty() ? "" : " AND entity_types && ?")
                + " ORDER BY lsn LIMIT 1";
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, after.toString());
            select.setString(2, upTo.toString());
            if (!entityTypes.isEmpty()) {
                select.setArray(3, connection.createArrayOf("text", entityTypes.toArray()));
            }
            try (ResultSet rows = select.executeQuery()) {
                if (rows.next() && rows.getString(1) != null) {
                    return Optional.of(Lsn.parse(rows.getString(1)));
                }
                return Optional.empty();
            }
        }
    }

    static OptionalLong checksumThrough(Connection connection, Lsn lsn) throws SQLException {
        if (lsn.equals(Lsn.ZERO)) {
            return OptionalLong.empty();
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT h.capture_position::text,"
                + " h.retained_from::text, h.trimmed_checksum, (SELECT t.cumulative_checksum"
                + " FROM tidemark.change_transaction t WHERE t.lsn <= ?::pg_lsn AND t.lsn > h.retained_from"
                + " ORDER BY t.lsn DESC LIMIT 1) FROM tidemark.history_state h WHERE h.id = 1")) {
            select.setString(1, lsn.toString());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return OptionalLong.empty();
                }
                Lsn capturePosition = Lsn.parse(row.getString(1));
                Lsn retainedFrom = Lsn.parse(row.getString(2));
                if (lsn.isAfter(capturePosition) || lsn.isBefore(retainedFrom)) {
                    return OptionalLong.empty();
                }
                long cumulative = row.getLong(4);
                return OptionalLong.of(row.wasNull() ? row.getLong(3) : cumulative);
            }
        }
    }

    /**
     * The sum of each type's newest running sum at or before {@code lsn}, read with the bounds in one statement
     * so a concurrent trim cannot remove a row between them; empty when per-type sums are unknown.
     */
    static OptionalLong checksumThrough(Connection connection, Lsn lsn, Set<String> entityTypes) throws SQLException {
        if (lsn.equals(Lsn.ZERO)) {
            return OptionalLong.empty();
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT h.capture_position::text,"
                + " h.retained_from::text, h.type_checksums_known, (SELECT array_agg(s.cumulative_checksum)"
                + " FROM unnest(?::text[]) AS wanted(entity_type) CROSS JOIN LATERAL (SELECT t.cumulative_checksum"
                + " FROM tidemark.type_checksum t WHERE t.entity_type = wanted.entity_type AND t.lsn <= ?::pg_lsn"
                + " ORDER BY t.lsn DESC LIMIT 1) s) FROM tidemark.history_state h WHERE h.id = 1")) {
            select.setArray(1, connection.createArrayOf("text", entityTypes.toArray()));
            select.setString(2, lsn.toString());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next() || !row.getBoolean(3)) {
                    return OptionalLong.empty();
                }
                Lsn capturePosition = Lsn.parse(row.getString(1));
                Lsn retainedFrom = Lsn.parse(row.getString(2));
                if (lsn.isAfter(capturePosition) || lsn.isBefore(retainedFrom)) {
                    return OptionalLong.empty();
                }
                long sum = 0;
                java.sql.Array sums = row.getArray(4);
                if (sums != null) {
                    for (Long typeSum : (Long[]) sums.getArray()) {
                        sum += typeSum;
                    }
                }
                return OptionalLong.of(sum);
            }
        }
    }

    /** Removes the per-type sums at or before {@code upTo} except each entity type's newest. */
    static void trimTypeChecksums(Connection connection, Lsn upTo) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM tidemark.type_checksum t"
                + " WHERE t.lsn < ?::pg_lsn AND t.lsn < (SELECT max(n.lsn) FROM tidemark.type_checksum n"
                + " WHERE n.entity_type = t.entity_type AND n.lsn <= ?::pg_lsn)")) {
            delete.setString(1, upTo.toString());
            delete.setString(2, upTo.toString());
            delete.executeUpdate();
        }
    }

    static List<Lsn> commitPositions(Connection connection, Set<Long> xids, Lsn upTo) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT lsn::text FROM tidemark.change_transaction"
                + " WHERE (xid & 4294967295) = ANY(?) AND lsn <= ?::pg_lsn ORDER BY lsn")) {
            select.setArray(1, connection.createArrayOf("bigint", xids.stream().map(x -> x & 0xFFFF_FFFFL).toArray()));
            select.setString(2, upTo.toString());
            List<Lsn> commits = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    commits.add(Lsn.parse(rows.getString(1)));
                }
            }
            return commits;
        }
    }

    static Optional<Lsn> lastCommitBefore(Connection connection, java.time.Instant time) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT lsn::text FROM tidemark.change_transaction"
                + " WHERE committed_at < ? AND lsn <= " + CAPTURE_POSITION + " ORDER BY lsn DESC LIMIT 1")) {
            select.setObject(1, OffsetDateTime.ofInstant(time, java.time.ZoneOffset.UTC));
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(Lsn.parse(rows.getString(1))) : Optional.empty();
            }
        }
    }

    /**
     * Walks the transactions from the newest back, summing their change counts, and returns the commit
     * position just before the one that would exceed {@code maxChanges}.
     */
    static Optional<Lsn> horizonKeeping(Connection connection, long maxChanges) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT lsn::text FROM (SELECT lsn,"
                + " sum(change_count) OVER (ORDER BY lsn DESC) AS kept FROM tidemark.change_transaction"
                + " WHERE lsn <= " + CAPTURE_POSITION + ") t WHERE kept > ? ORDER BY lsn DESC LIMIT 1")) {
            select.setLong(1, maxChanges);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(Lsn.parse(rows.getString(1))) : Optional.empty();
            }
        }
    }

    static long retainedChanges(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT coalesce(sum(change_count), 0) FROM tidemark.change_transaction");
                ResultSet rows = select.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
