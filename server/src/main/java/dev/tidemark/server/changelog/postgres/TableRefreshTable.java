package dev.tidemark.server.changelog.postgres;

import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.CAPTURED_TABLE;
import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.HISTORY_STATE;
import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.TABLE_REFRESH;
import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.param;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.exists;
import static org.jooq.impl.DSL.selectOne;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.ChangeLogException;
import dev.tidemark.server.spi.TableRefresh;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jooq.Field;
import org.jooq.BatchBindStep;
import org.jooq.Param;
import org.jooq.impl.DSL;

/** Reads and writes {@code tidemark.table_refresh} (markers) and {@code tidemark.captured_table} (shapes). */
final class TableRefreshTable {

    private static final ChangeLogSchema.TableRefresh R = TABLE_REFRESH.as("r");
    private static final ChangeLogSchema.CapturedTable S = CAPTURED_TABLE;
    private static final Field<Instant> NOW = DSL.field("now()", ChangeLogSchema.TIMESTAMPTZ);

    private static final Param<Lsn> AFTER = param("after", ChangeLogSchema.LSN);
    private static final Param<Lsn> UP_TO = param("up_to", ChangeLogSchema.LSN);
    /**
     * The markers in a range: the hub reads them on every move of the log's tip before its sessions stream on (the
     * live path), so the SQL is rendered once and run with plain JDBC. Rendering it with every call was a quarter of
     * the server's CPU at 1,000 one-row transactions/s (docs/performance.md).
     */
    private static final RenderedQuery READ = read();

    private TableRefreshTable() {}

    private static RenderedQuery read() {
        ChangeLogSchema.HistoryState h = HISTORY_STATE.as("h");
        return RenderedQuery.of(select(R.LSN, R.ENTITY_TYPE, R.REASON)
                .from(R.table, h.table)
                .where(h.ID.eq(inline((short) 1)))
                .and(R.LSN.gt(AFTER)).and(R.LSN.le(UP_TO)).and(R.LSN.le(h.CAPTURE_POSITION))
                .orderBy(R.LSN, R.ENTITY_TYPE));
    }

    /**
     * Inserts the markers after {@code from} (replays at or before it are skipped), each of which must lie
     * at or before {@code upTo}, the capture position after the append.
     */
    static void insert(Connection connection, List<TableRefresh> refreshes, Lsn from, Lsn upTo) throws SQLException {
        if (refreshes.isEmpty()) {
            return;
        }
        List<TableRefresh> toWrite = new ArrayList<>();
        for (TableRefresh refresh : refreshes) {
            if (refresh.lsn().isAfter(upTo)) {
                throw new ChangeLogException("table refresh of " + refresh.entityType() + " at " + refresh.lsn()
                        + " lies after the capture position " + upTo + " the append leaves: a marker is written"
                        + " with the position that covers it");
            }
            if (from == null || refresh.lsn().isAfter(from)) {
                toWrite.add(refresh);
            }
        }
        if (toWrite.isEmpty()) {
            return;
        }
        ChangeLogDsl.run(connection, sql -> {
            BatchBindStep inserts = sql.batch(sql
                    .insertInto(TABLE_REFRESH.table)
                    .columns(TABLE_REFRESH.LSN, TABLE_REFRESH.ENTITY_TYPE, TABLE_REFRESH.REASON)
                    .values((Lsn) null, null, null)
                    .onConflictDoNothing());
            toWrite.forEach(refresh -> inserts.bind(refresh.lsn(), refresh.entityType(), refresh.reason()));
            return inserts.execute();
        });
    }

    static List<TableRefresh> read(Connection connection, Lsn after, Lsn upTo) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(READ.sql())) {
            select.setString(READ.index(AFTER), after.toString());
            select.setString(READ.index(UP_TO), upTo.toString());
            List<TableRefresh> refreshes = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    refreshes.add(new TableRefresh(Lsn.parse(rows.getString(1)), rows.getString(2), rows.getString(3)));
                }
            }
            return refreshes;
        }
    }

    /** Removes the markers at or before {@code upTo} except each entity type's newest. */
    static void trim(Connection connection, Lsn upTo) throws SQLException {
        ChangeLogSchema.TableRefresh newer = TABLE_REFRESH.as("newer");
        ChangeLogDsl.run(connection, sql -> sql
                .deleteFrom(R.table)
                .where(R.LSN.le(upTo))
                .and(exists(selectOne().from(newer.table)
                        .where(newer.ENTITY_TYPE.eq(R.ENTITY_TYPE)).and(newer.LSN.gt(R.LSN))))
                .execute());
    }

    /** Forgets every marker and shape (a new history starts). */
    static void clear(Connection connection) throws SQLException {
        ChangeLogDsl.run(connection, sql -> sql.truncate(TABLE_REFRESH.table, S.table).execute());
    }

    static Map<String, String> shapes(Connection connection) throws SQLException {
        return ChangeLogDsl.run(connection, sql -> sql
                .select(S.ENTITY_TYPE, S.SHAPE)
                .from(S.table)
                .collect(Collectors.toMap(row -> row.value1(), row -> row.value2(), (a, b) -> b, TreeMap::new)));
    }

    static void saveShapes(Connection connection, Map<String, String> shapes, List<String> removed) throws SQLException {
        ChangeLogDsl.run(connection, sql -> {
            if (!shapes.isEmpty()) {
                BatchBindStep upserts = sql.batch(sql
                        .insertInto(S.table)
                        .columns(S.ENTITY_TYPE, S.SHAPE)
                        .values((String) null, null)
                        .onConflict(S.ENTITY_TYPE).doUpdate()
                        .set(S.SHAPE, excluded(S.SHAPE))
                        .set(S.UPDATED_AT, NOW));
                shapes.forEach((type, shape) -> upserts.bind(type, shape));
                upserts.execute();
            }
            if (!removed.isEmpty()) {
                sql.deleteFrom(S.table).where(S.ENTITY_TYPE.in(removed)).execute();
            }
            return null;
        });
    }
}
