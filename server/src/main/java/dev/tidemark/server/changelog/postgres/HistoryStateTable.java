package dev.tidemark.server.changelog.postgres;

import dev.tidemark.protocol.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Reads and writes the single row of {@code tidemark.history_state}. */
final class HistoryStateTable {

    private static final String SELECT = "SELECT history_id, capture_position::text, retained_from::text,"
            + " checksum_total, trimmed_checksum, pending_lsn::text, pending_seq, pending_checksum, pending_xid,"
            + " pending_committed_at, pending_entity_types, type_checksums_known, type_names, type_totals,"
            + " pending_type_checksums FROM tidemark.history_state WHERE id = 1";

    private HistoryStateTable() {}

    static Optional<LogState> load(Connection connection, boolean forUpdate) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(forUpdate ? SELECT + " FOR UPDATE" : SELECT);
                ResultSet row = select.executeQuery()) {
            if (!row.next()) {
                return Optional.empty();
            }
            PendingTransaction pending = null;
            String pendingLsn = row.getString(6);
            if (pendingLsn != null) {
                String[] entityTypes = (String[]) row.getArray(11).getArray();
                // Written before per-type sums were kept: the history's type sums are unknown anyway.
                Map<String, Long> typeChecksums = row.getArray(15) == null ? Map.of()
                        : zip(entityTypes, (Long[]) row.getArray(15).getArray());
                pending = new PendingTransaction(Lsn.parse(pendingLsn), row.getInt(7), row.getLong(8), row.getLong(9),
                        row.getObject(10, OffsetDateTime.class).toInstant(), List.of(entityTypes), typeChecksums);
            }
            Map<String, Long> typeTotals = zip((String[]) row.getArray(13).getArray(), (Long[]) row.getArray(14).getArray());
            return Optional.of(new LogState(row.getString(1), Lsn.parse(row.getString(2)), Lsn.parse(row.getString(3)),
                    row.getLong(4), row.getLong(5), pending, new TreeMap<>(typeTotals), row.getBoolean(12)));
        }
    }

    private static Map<String, Long> zip(String[] names, Long[] values) {
        if (names.length != values.length) {
            throw new IllegalStateException("tidemark.history_state holds " + names.length + " entity types but "
                    + values.length + " checksums: the row was edited by hand; start a new history");
        }
        Map<String, Long> map = new TreeMap<>();
        for (int i = 0; i < names.length; i++) {
            map.put(names[i], values[i]);
        }
        return map;
    }

    /** Writes the capture position, checksum totals and pending transaction of {@code state}. */
    static void saveCapture(Connection connection, LogState state) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE tidemark.history_state SET"
                + " capture_position = ?::pg_lsn, checksum_total = ?, pending_lsn = ?::pg_lsn, pending_seq = ?,"
                + " pending_checksum = ?, pending_xid = ?, pending_committed_at = ?, pending_entity_types = ?,"
                + " pending_type_checksums = ?, type_names = ?, type_totals = ?, updated_at = now() WHERE id = 1")) {
            update.setString(1, state.capturePosition().toString());
            update.setLong(2, state.checksumTotal());
            PendingTransaction pending = state.pending();
            if (pending == null) {
                update.setNull(3, Types.VARCHAR);
                update.setNull(4, Types.INTEGER);
                update.setNull(5, Types.BIGINT);
                update.setNull(6, Types.BIGINT);
                update.setNull(7, Types.TIMESTAMP_WITH_TIMEZONE);
                update.setNull(8, Types.ARRAY);
                update.setNull(9, Types.ARRAY);
            } else {
                update.setString(3, pending.lsn().toString());
                update.setInt(4, pending.lastSeq());
                update.setLong(5, pending.checksum());
                update.setLong(6, pending.xid());
                update.setObject(7, OffsetDateTime.ofInstant(pending.committedAt(), ZoneOffset.UTC));
                update.setArray(8, connection.createArrayOf("text", pending.entityTypes().toArray()));
                Long[] sums = new Long[pending.entityTypes().size()];
                for (int i = 0; i < sums.length; i++) {
                    sums[i] = pending.typeChecksums().getOrDefault(pending.entityTypes().get(i), 0L);
                }
                update.setArray(9, connection.createArrayOf("bigint", sums));
            }
            update.setArray(10, connection.createArrayOf("text", state.typeTotals().keySet().toArray()));
            update.setArray(11, connection.createArrayOf("bigint", state.typeTotals().values().toArray()));
            update.executeUpdate();
        }
    }

    /** Records that transactions at or before {@code retainedFrom} were trimmed. */
    static void saveRetention(Connection connection, Lsn retainedFrom, long trimmedChecksum) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE tidemark.history_state SET"
                + " retained_from = ?::pg_lsn, trimmed_checksum = ?, updated_at = now() WHERE id = 1")) {
            update.setString(1, retainedFrom.toString());
            update.setLong(2, trimmedChecksum);
            update.executeUpdate();
        }
    }

    /** Replaces the row with a new history at {@code startPosition}. */
    static void start(Connection connection, String historyId, Lsn startPosition) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO tidemark.history_state"
                + " (id, history_id, capture_position, retained_from, checksum_total, trimmed_checksum, started_at,"
                + " updated_at) VALUES (1, ?, ?::pg_lsn, '0/0', 0, 0, now(), now())"
                + " ON CONFLICT (id) DO UPDATE SET history_id = excluded.history_id,"
                + " capture_position = excluded.capture_position, retained_from = excluded.retained_from,"
                + " checksum_total = 0, trimmed_checksum = 0, pending_lsn = NULL, pending_seq = NULL,"
                + " pending_checksum = NULL, pending_xid = NULL, pending_committed_at = NULL, pending_entity_types = NULL,"
                + " pending_type_checksums = NULL, type_checksums_known = true, type_names = '{}', type_totals = '{}',"
                + " started_at = now(), updated_at = now()")) {
            upsert.setString(1, historyId);
            upsert.setString(2, startPosition.toString());
            upsert.executeUpdate();
        }
    }
}
