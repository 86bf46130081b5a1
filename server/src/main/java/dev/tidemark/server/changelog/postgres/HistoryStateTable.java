package dev.tidemark.server.changelog.postgres;

import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.HISTORY_STATE;
import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.select;

import dev.tidemark.protocol.Lsn;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jooq.Field;
import org.jooq.impl.DSL;

/** Reads and writes the single row of {@code tidemark.history_state}. */
final class HistoryStateTable {

    private static final ChangeLogSchema.HistoryState H = HISTORY_STATE;
    private static final short ROW = 1;
    private static final Field<Instant> NOW = DSL.field("now()", ChangeLogSchema.TIMESTAMPTZ);

    /** The row's columns as {@link #load} reads them. */
    private static final List<Field<?>> COLUMNS = List.of(H.HISTORY_ID, H.CAPTURE_POSITION, H.RETAINED_FROM,
            H.CHECKSUM_TOTAL, H.TRIMMED_CHECKSUM, H.PENDING_LSN, H.PENDING_SEQ, H.PENDING_CHECKSUM, H.PENDING_XID,
            H.PENDING_COMMITTED_AT, H.PENDING_ENTITY_TYPES, H.TYPE_CHECKSUMS_KNOWN, H.TYPE_NAMES, H.TYPE_TOTALS,
            H.PENDING_TYPE_CHECKSUMS);
    /** Read with every catch-up page and every append: rendered once, run with plain JDBC. */
    private static final RenderedQuery LOAD =
            RenderedQuery.of(select(COLUMNS).from(H.table).where(H.ID.eq(inline(ROW))));
    private static final RenderedQuery LOAD_FOR_UPDATE =
            RenderedQuery.of(select(COLUMNS).from(H.table).where(H.ID.eq(inline(ROW))).forUpdate());

    private HistoryStateTable() {}

    static Optional<LogState> load(Connection connection, boolean forUpdate) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement((forUpdate ? LOAD_FOR_UPDATE : LOAD).sql());
                ResultSet row = select.executeQuery()) {
            return row.next() ? Optional.of(read(row)) : Optional.empty();
        }
    }

    /**
     * The row locked for update and, in the same statement, the capture leader's row share-locked (a takeover's
     * update waits for the commit): the row's columns as {@link #read} reads them, then the leader's epoch at
     * {@link #LEADER_EPOCH} and node at {@link #LEADER_NODE}. No row when either table has none.
     */
    static final String LOAD_FENCED = "SELECT " + COLUMNS.stream().map(column -> "h." + column.getName())
            .collect(java.util.stream.Collectors.joining(", "))
            + ", l.epoch, l.node FROM tidemark.history_state h CROSS JOIN tidemark.capture_leader l WHERE h.id = "
            + ROW + " FOR UPDATE OF h FOR SHARE OF l";
    static final int LEADER_EPOCH = COLUMNS.size() + 1;
    static final int LEADER_NODE = COLUMNS.size() + 2;

    /** The state in the current row of {@code row}, whose first columns are those {@link #load} selects. */
    static LogState read(ResultSet row) throws SQLException {
        PendingTransaction pending = null;
        String pendingLsn = row.getString(at(H.PENDING_LSN));
        if (pendingLsn != null) {
            String[] entityTypes = (String[]) row.getArray(at(H.PENDING_ENTITY_TYPES)).getArray();
            Array pendingSums = row.getArray(at(H.PENDING_TYPE_CHECKSUMS));
            // Written before per-type sums were kept: the history's type sums are unknown anyway.
            Map<String, Long> typeChecksums = pendingSums == null ? Map.of()
                    : zip(entityTypes, (Long[]) pendingSums.getArray());
            pending = new PendingTransaction(Lsn.parse(pendingLsn), row.getInt(at(H.PENDING_SEQ)),
                    row.getLong(at(H.PENDING_CHECKSUM)), row.getLong(at(H.PENDING_XID)),
                    row.getObject(at(H.PENDING_COMMITTED_AT), OffsetDateTime.class).toInstant(),
                    List.of(entityTypes), typeChecksums);
        }
        Map<String, Long> typeTotals = zip((String[]) row.getArray(at(H.TYPE_NAMES)).getArray(),
                (Long[]) row.getArray(at(H.TYPE_TOTALS)).getArray());
        return new LogState(row.getString(at(H.HISTORY_ID)),
                Lsn.parse(row.getString(at(H.CAPTURE_POSITION))), Lsn.parse(row.getString(at(H.RETAINED_FROM))),
                row.getLong(at(H.CHECKSUM_TOTAL)), row.getLong(at(H.TRIMMED_CHECKSUM)), pending,
                new TreeMap<>(typeTotals), row.getBoolean(at(H.TYPE_CHECKSUMS_KNOWN)));
    }

    /** The JDBC index of {@code column} in {@link #COLUMNS}. */
    private static int at(Field<?> column) {
        return COLUMNS.indexOf(column) + 1;
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

    /** Records that transactions at or before {@code retainedFrom} were trimmed. */
    static void saveRetention(Connection connection, Lsn retainedFrom, long trimmedChecksum) throws SQLException {
        ChangeLogDsl.run(connection, sql -> sql
                .update(H.table)
                .set(H.RETAINED_FROM, retainedFrom)
                .set(H.TRIMMED_CHECKSUM, trimmedChecksum)
                .set(H.UPDATED_AT, NOW)
                .where(H.ID.eq(ROW))
                .execute());
    }

    /** Replaces the row with a new history at {@code startPosition}. */
    static void start(Connection connection, String historyId, Lsn startPosition) throws SQLException {
        ChangeLogDsl.run(connection, sql -> sql
                .insertInto(H.table)
                .columns(H.ID, H.HISTORY_ID, H.CAPTURE_POSITION, H.RETAINED_FROM, H.CHECKSUM_TOTAL,
                        H.TRIMMED_CHECKSUM, H.STARTED_AT, H.UPDATED_AT)
                .values(inline(ROW), DSL.val(historyId), DSL.val(startPosition, ChangeLogSchema.LSN),
                        DSL.val(Lsn.ZERO, ChangeLogSchema.LSN), inline(0L), inline(0L), NOW, NOW)
                .onConflict(H.ID).doUpdate()
                .set(H.HISTORY_ID, excluded(H.HISTORY_ID))
                .set(H.CAPTURE_POSITION, excluded(H.CAPTURE_POSITION))
                .set(H.RETAINED_FROM, excluded(H.RETAINED_FROM))
                .set(H.CHECKSUM_TOTAL, 0L)
                .set(H.TRIMMED_CHECKSUM, 0L)
                .setNull(H.PENDING_LSN)
                .setNull(H.PENDING_SEQ)
                .setNull(H.PENDING_CHECKSUM)
                .setNull(H.PENDING_XID)
                .setNull(H.PENDING_COMMITTED_AT)
                .setNull(H.PENDING_ENTITY_TYPES)
                .setNull(H.PENDING_TYPE_CHECKSUMS)
                .set(H.TYPE_CHECKSUMS_KNOWN, true)
                .set(H.TYPE_NAMES, new String[0])
                .set(H.TYPE_TOTALS, new Long[0])
                .set(H.STARTED_AT, NOW)
                .set(H.UPDATED_AT, NOW)
                .execute());
    }
}
