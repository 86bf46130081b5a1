package dev.tidemark.server.changelog.postgres;

import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.CHANGE_HISTORY;
import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.CHANGE_TRANSACTION;
import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.HISTORY_STATE;
import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.TYPE_CHECKSUM;
import static org.jooq.impl.DSL.all;
import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.arrayAgg;
import static org.jooq.impl.DSL.arrayOverlap;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.lateral;
import static org.jooq.impl.DSL.least;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.noCondition;
import static org.jooq.impl.DSL.not;
import static org.jooq.impl.DSL.param;
import static org.jooq.impl.DSL.row;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.sum;
import static org.jooq.impl.DSL.unnest;
import static org.jooq.impl.DSL.val;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Param;
import org.jooq.Query;
import org.jooq.Record4;
import org.jooq.Table;
import org.jooq.impl.SQLDataType;

/**
 * The reading side of the change log. Every query bounds itself by the capture position read in the
 * same statement, so it sees a consistent snapshot and never a change past the position.
 */
final class ChangeQueries {

    private static final ChangeLogSchema.ChangeHistory C = CHANGE_HISTORY.as("c");
    private static final ChangeLogSchema.ChangeTransaction T = CHANGE_TRANSACTION.as("t");
    private static final ChangeLogSchema.HistoryState H = HISTORY_STATE.as("h");

    /** The catch-up read's parameters. */
    private static final Param<Lsn> AFTER_LSN = param("after_lsn", ChangeLogSchema.LSN);
    private static final Param<Integer> AFTER_SEQ = param("after_seq", SQLDataType.INTEGER);
    private static final Param<Lsn> UP_TO = param("up_to", ChangeLogSchema.LSN);
    private static final Param<String[]> ENTITY_TYPES = param("entity_types", ChangeLogSchema.TEXT_ARRAY);
    private static final Param<Integer> LIMIT = param("limit", SQLDataType.INTEGER);

    /** The catch-up read, of every entity type and of some: rendered once, it is the hot path. */
    private static final RenderedQuery READ_ALL = RenderedQuery.of(catchUpRead(noCondition()));
    private static final RenderedQuery READ_TYPES = RenderedQuery.of(catchUpRead(C.ENTITY_TYPE.eq(any(ENTITY_TYPES))));
    /** What a table snapshot leaves to the log: every type but the snapshot's, filtered here, not in the hub. */
    private static final RenderedQuery READ_EXCEPT = RenderedQuery.of(catchUpRead(C.ENTITY_TYPE.ne(all(ENTITY_TYPES))));

    private ChangeQueries() {}

    /** The capture position, read in the statement that uses it. */
    private static Field<Lsn> capturePosition() {
        return field(select(HISTORY_STATE.CAPTURE_POSITION).from(HISTORY_STATE.table)
                .where(HISTORY_STATE.ID.eq(inline((short) 1))));
    }

    private static Field<String[]> textArray(Set<String> values) {
        return val(values.toArray(String[]::new), ChangeLogSchema.TEXT_ARRAY);
    }

    private static Query catchUpRead(Condition typeFilter) {
        // Every visible change belongs to a complete transaction, whose row holds its commit time.
        return select(C.LSN, C.SEQ, C.XID, C.OP, C.ENTITY_TYPE, C.ENTITY_ID, C.DATA, T.COMMITTED_AT, C.FROM_ID)
                .from(C.table).join(T.table).on(T.LSN.eq(C.LSN))
                .where(row(C.LSN, C.SEQ).gt(AFTER_LSN, AFTER_SEQ))
                .and(C.LSN.le(least(UP_TO, capturePosition())))
                .and(typeFilter)
                .orderBy(C.LSN, C.SEQ)
                .limit(LIMIT);
    }

    /**
     * The catch-up read (hot): the SQL jOOQ rendered once, run with plain JDBC (see docs/architecture.md, "SQL").
     */
    static List<LoggedChange> read(Connection connection, LogPosition after, Lsn upTo, Set<String> entityTypes,
                                   int limit) throws SQLException {
        if (entityTypes.isEmpty() || limit <= 0) {
            return read(connection, READ_ALL, after, upTo, entityTypes, limit);
        }
        Optional<LogPosition> from = firstWanted(connection, after, upTo, entityTypes, FIRST_OF_FROM, FIRST_OF_AFTER);
        return from.isEmpty() ? List.of() : read(connection, READ_TYPES, from.get(), upTo, entityTypes, limit);
    }

    /**
     * The first transaction at {@code after_lsn} or later (or after it) that touches one of {@code entity_types}, or
     * a type not among them: found on the transactions' own rows, one per transaction, instead of on every change.
     */
    private static final RenderedQuery FIRST_OF_FROM = RenderedQuery.of(firstTransaction(T.LSN.ge(AFTER_LSN),
            arrayOverlap(T.ENTITY_TYPES, ENTITY_TYPES)));
    private static final RenderedQuery FIRST_OF_AFTER = RenderedQuery.of(firstTransaction(T.LSN.gt(AFTER_LSN),
            arrayOverlap(T.ENTITY_TYPES, ENTITY_TYPES)));
    private static final RenderedQuery FIRST_EXCEPT_FROM = RenderedQuery.of(firstTransaction(T.LSN.ge(AFTER_LSN),
            not(ENTITY_TYPES.contains(T.ENTITY_TYPES))));
    private static final RenderedQuery FIRST_EXCEPT_AFTER = RenderedQuery.of(firstTransaction(T.LSN.gt(AFTER_LSN),
            not(ENTITY_TYPES.contains(T.ENTITY_TYPES))));

    private static Query firstTransaction(Condition from, Condition wanted) {
        return select(T.LSN).from(T.table)
                .where(from)
                .and(T.LSN.le(least(UP_TO, capturePosition())))
                .and(wanted)
                .orderBy(T.LSN)
                .limit(inline(1));
    }

    /**
     * Where a filtered read starts: before the first change of the first transaction with a change it wants, or
     * {@code after} itself when that is the transaction {@code after} stands in; empty when there is none up to
     * {@code upTo}.
     */
    private static Optional<LogPosition> firstWanted(Connection connection, LogPosition after, Lsn upTo,
                                                     Set<String> entityTypes, RenderedQuery from,
                                                     RenderedQuery afterIt) throws SQLException {
        RenderedQuery first = after.seq() == Integer.MAX_VALUE ? afterIt : from;
        try (PreparedStatement select = connection.prepareStatement(first.sql())) {
            select.setString(first.index(AFTER_LSN), after.lsn().toString());
            select.setString(first.index(UP_TO), upTo.toString());
            select.setArray(first.index(ENTITY_TYPES), connection.createArrayOf("text", entityTypes.toArray()));
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                Lsn wanted = Lsn.parse(row.getString(1));
                return Optional.of(wanted.isAfter(after.lsn()) ? new LogPosition(wanted, Integer.MIN_VALUE) : after);
            }
        }
    }

    /**
     * The catch-up read of every entity type but {@code excluded} (all when it is empty). Like a read of some types,
     * it starts at the first transaction that has a change it wants: what a new client's table snapshot leaves to
     * the log is often nothing at all, and the read would otherwise go through every change up to {@code upTo} to
     * find that out (200,000 changes, 71 ms of the source's time, for each new client of the catch-up benchmark;
     * now 0.5 ms).
     */
    static List<LoggedChange> readExcept(Connection connection, LogPosition after, Lsn upTo, Set<String> excluded,
                                         int limit) throws SQLException {
        if (excluded.isEmpty() || limit <= 0) {
            return read(connection, READ_ALL, after, upTo, excluded, limit);
        }
        Optional<LogPosition> from = firstWanted(connection, after, upTo, excluded, FIRST_EXCEPT_FROM, FIRST_EXCEPT_AFTER);
        return from.isEmpty() ? List.of() : read(connection, READ_EXCEPT, from.get(), upTo, excluded, limit);
    }

    private static List<LoggedChange> read(Connection connection, RenderedQuery query, LogPosition after, Lsn upTo,
                                           Set<String> entityTypes, int limit) throws SQLException {
        if (limit <= 0) {
            return List.of();
        }
        try (PreparedStatement select = connection.prepareStatement(query.sql())) {
            select.setString(query.index(AFTER_LSN), after.lsn().toString());
            select.setInt(query.index(AFTER_SEQ), after.seq());
            select.setString(query.index(UP_TO), upTo.toString());
            if (query != READ_ALL) {
                select.setArray(query.index(ENTITY_TYPES), connection.createArrayOf("text", entityTypes.toArray()));
            }
            select.setInt(query.index(LIMIT), limit);
            List<LoggedChange> changes = new ArrayList<>(Math.min(limit, 1024));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    Change change = new Change(ChangeType.fromWireName(rows.getString(4)), rows.getString(5),
                            rows.getString(6), rows.getString(7), rows.getObject(8, OffsetDateTime.class).toInstant(),
                            rows.getString(9));
                    changes.add(new LoggedChange(Lsn.parse(rows.getString(1)), rows.getInt(2), rows.getLong(3),
                            change));
                }
            }
            return changes;
        }
    }

    static Optional<Lsn> nextTransaction(Connection connection, Lsn after, Lsn upTo, Set<String> entityTypes)
            throws SQLException {
        return ChangeLogDsl.run(connection, sql -> sql
                .select(CHANGE_TRANSACTION.LSN).from(CHANGE_TRANSACTION.table)
                .where(CHANGE_TRANSACTION.LSN.gt(after))
                .and(CHANGE_TRANSACTION.LSN.le(least(val(upTo, ChangeLogSchema.LSN), capturePosition())))
                .and(entityTypes.isEmpty() ? noCondition()
                        : arrayOverlap(CHANGE_TRANSACTION.ENTITY_TYPES, textArray(entityTypes)))
                .orderBy(CHANGE_TRANSACTION.LSN)
                .limit(1)
                .fetchOptional(CHANGE_TRANSACTION.LSN));
    }

    static OptionalLong checksumThrough(Connection connection, Lsn lsn) throws SQLException {
        if (lsn.equals(Lsn.ZERO)) {
            return OptionalLong.empty();
        }
        Field<Long> cumulative = field(select(T.CUMULATIVE_CHECKSUM).from(T.table)
                .where(T.LSN.le(lsn)).and(T.LSN.gt(H.RETAINED_FROM))
                .orderBy(T.LSN.desc()).limit(1));
        Optional<Record4<Lsn, Lsn, Long, Long>> row = ChangeLogDsl.run(connection, sql -> sql
                .select(H.CAPTURE_POSITION, H.RETAINED_FROM, H.TRIMMED_CHECKSUM, cumulative)
                .from(H.table).where(H.ID.eq((short) 1))
                .fetchOptional());
        if (row.isEmpty() || !retains(row.get().value1(), row.get().value2(), lsn)) {
            return OptionalLong.empty();
        }
        Long through = row.get().value4();
        return OptionalLong.of(through == null ? row.get().value3() : through);
    }

    /**
     * The sum of each type's newest running sum at or before {@code lsn}, read with the bounds in one statement
     * so a concurrent trim cannot remove a row between them; empty when per-type sums are unknown.
     */
    static OptionalLong checksumThrough(Connection connection, Lsn lsn, Set<String> entityTypes) throws SQLException {
        if (lsn.equals(Lsn.ZERO)) {
            return OptionalLong.empty();
        }
        Table<?> wanted = unnest(textArray(entityTypes)).as("wanted", "entity_type");
        Field<String> wantedType = field(name("wanted", "entity_type"), String.class);
        ChangeLogSchema.TypeChecksum t = TYPE_CHECKSUM.as("t");
        Table<?> newest = lateral(select(t.CUMULATIVE_CHECKSUM).from(t.table)
                .where(t.ENTITY_TYPE.eq(wantedType)).and(t.LSN.le(lsn))
                .orderBy(t.LSN.desc()).limit(1).asTable("s"));
        Field<Long[]> sums = field(select(arrayAgg(newest.field(t.CUMULATIVE_CHECKSUM.getName(), Long.class)))
                .from(wanted).crossJoin(newest));
        Optional<Record4<Lsn, Lsn, Boolean, Long[]>> row = ChangeLogDsl.run(connection, sql -> sql
                .select(H.CAPTURE_POSITION, H.RETAINED_FROM, H.TYPE_CHECKSUMS_KNOWN, sums)
                .from(H.table).where(H.ID.eq((short) 1))
                .fetchOptional());
        if (row.isEmpty() || !row.get().value3() || !retains(row.get().value1(), row.get().value2(), lsn)) {
            return OptionalLong.empty();
        }
        long sum = 0;
        if (row.get().value4() != null) {
            for (Long typeSum : row.get().value4()) {
                sum += typeSum;
            }
        }
        return OptionalLong.of(sum);
    }

    /** Whether the log still holds the checksum through {@code lsn}: it lies between the bounds. */
    private static boolean retains(Lsn capturePosition, Lsn retainedFrom, Lsn lsn) {
        return !lsn.isAfter(capturePosition) && !lsn.isBefore(retainedFrom);
    }

    /** Removes the per-type sums at or before {@code upTo} except each entity type's newest. */
    static void trimTypeChecksums(Connection connection, Lsn upTo) throws SQLException {
        ChangeLogSchema.TypeChecksum t = TYPE_CHECKSUM.as("t");
        ChangeLogSchema.TypeChecksum n = TYPE_CHECKSUM.as("n");
        ChangeLogDsl.run(connection, sql -> sql
                .deleteFrom(t.table)
                .where(t.LSN.lt(upTo))
                .and(t.LSN.lt(field(select(max(n.LSN)).from(n.table)
                        .where(n.ENTITY_TYPE.eq(t.ENTITY_TYPE)).and(n.LSN.le(upTo)))))
                .execute());
    }

    static List<Lsn> commitPositions(Connection connection, Set<Long> xids, Lsn upTo) throws SQLException {
        // Capture knows a transaction by its 32-bit xid; the log keeps the full one.
        Long[] wanted = xids.stream().map(x -> x & 0xFFFF_FFFFL).toArray(Long[]::new);
        return ChangeLogDsl.run(connection, sql -> sql
                .select(CHANGE_TRANSACTION.LSN).from(CHANGE_TRANSACTION.table)
                .where(CHANGE_TRANSACTION.XID.bitAnd(0xFFFF_FFFFL).eq(any(val(wanted, ChangeLogSchema.BIGINT_ARRAY))))
                .and(CHANGE_TRANSACTION.LSN.le(upTo))
                .orderBy(CHANGE_TRANSACTION.LSN)
                .fetch(CHANGE_TRANSACTION.LSN));
    }

    static Optional<Lsn> lastCommitBefore(Connection connection, Instant time) throws SQLException {
        return ChangeLogDsl.run(connection, sql -> sql
                .select(CHANGE_TRANSACTION.LSN).from(CHANGE_TRANSACTION.table)
                .where(CHANGE_TRANSACTION.COMMITTED_AT.lt(time))
                .and(CHANGE_TRANSACTION.LSN.le(capturePosition()))
                .orderBy(CHANGE_TRANSACTION.LSN.desc())
                .limit(1)
                .fetchOptional(CHANGE_TRANSACTION.LSN));
    }

    /**
     * Walks the transactions from the newest back, summing their change counts, and returns the commit
     * position just before the one that would exceed {@code maxChanges}.
     */
    static Optional<Lsn> horizonKeeping(Connection connection, long maxChanges) throws SQLException {
        Field<BigDecimal> kept = sum(CHANGE_TRANSACTION.CHANGE_COUNT)
                .over().orderBy(CHANGE_TRANSACTION.LSN.desc()).as("kept");
        Table<?> newestFirst = select(CHANGE_TRANSACTION.LSN.as("lsn"), kept)
                .from(CHANGE_TRANSACTION.table)
                .where(CHANGE_TRANSACTION.LSN.le(capturePosition()))
                .asTable("k");
        Field<Lsn> lsn = field(name("k", "lsn"), ChangeLogSchema.LSN);
        Field<BigDecimal> keptSoFar = field(name("k", "kept"), SQLDataType.NUMERIC);
        return ChangeLogDsl.run(connection, sql -> sql
                .select(lsn).from(newestFirst)
                .where(keptSoFar.gt(BigDecimal.valueOf(maxChanges)))
                .orderBy(lsn.desc())
                .limit(1)
                .fetchOptional(lsn));
    }

    static long retainedChanges(Connection connection) throws SQLException {
        return ChangeLogDsl.run(connection, sql -> sql
                .select(coalesce(sum(CHANGE_TRANSACTION.CHANGE_COUNT), BigDecimal.ZERO))
                .from(CHANGE_TRANSACTION.table)
                .fetchSingle().value1().longValueExact());
    }
}
