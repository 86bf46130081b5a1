package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.recovery.SnapshotCut;
import dev.tidemark.recovery.TransactionSnapshot;
import dev.tidemark.server.hub.SnapshotSource;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogException;
import dev.tidemark.server.spi.HistoryState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of the published tables for resyncing clients, taken the way {@link SnapshotCut} describes: the
 * capture position is read first, then a {@code REPEATABLE READ} snapshot is taken on the source; transactions
 * that were still running for the snapshot but are already captured at or before that position lower the
 * snapshot's position to just before their commit, so the tail carries them. Rows are read as text through
 * each type's output function ({@code format('%s', column)}), which yields exactly pgoutput's text format,
 * and rendered by the same
 * {@link ChangeFactory} capture uses, so a snapshot row equals the captured row.
 */
public final class SourceSnapshots implements SnapshotSource {

    private static final Logger log = LoggerFactory.getLogger(SourceSnapshots.class);
    private static final int FETCH_SIZE = 1000;

    private final SourceSettings source;
    private final String publication;
    private final ChangeLog changeLog;

    public SourceSnapshots(SourceSettings source, String publication, ChangeLog changeLog) {
        this.source = requireNonNull(source, "source is null");
        this.publication = requireNonNull(publication, "publication is null");
        this.changeLog = requireNonNull(changeLog, "changeLog is null");
    }

    @Override
    public Snapshot open(Predicate<String> entityTypes) {
        requireNonNull(entityTypes, "entityTypes is null");
        HistoryState before = changeLog.state()
                .orElseThrow(() -> new ChangeLogException("the change log holds no history yet: no snapshot possible"));
        Connection connection = null;
        try {
            connection = source.connect();
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            TransactionSnapshot visibility;
            Instant time;
            // The first statement fixes the transaction's snapshot; it also reports that very snapshot.
            try (Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery("SELECT pg_current_snapshot()::text, now()")) {
                row.next();
                visibility = TransactionSnapshot.parse(row.getString(1));
                time = row.getTimestamp(2).toInstant();
            }
            SnapshotCut cut = new SnapshotCut(before.capturePosition(), visibility);
            Set<Long> running = new LinkedHashSet<>();
            Arrays.stream(visibility.inProgress()).forEach(xid -> running.add(xid & 0xFFFF_FFFFL));
            List<Lsn> commits = changeLog.commitPositions(running, before.capturePosition());
            Lsn position = cut.position(commits);
            List<Relation> tables = publishedTables(connection, entityTypes);
            log.info("resync snapshot {} at {} (capture was at {}, {} running transactions already captured) of {}",
                    visibility, position, before.capturePosition(), commits.size(),
                    tables.stream().map(Relation::entityType).toList());
            return new SourceSnapshot(connection, position, tables, time, estimatedRows(connection, tables));
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            throw new CaptureException(CaptureError.SOURCE, "cannot take a resync snapshot of the source: "
                    + e.getMessage(), e);
        }
    }

    private List<Relation> publishedTables(Connection connection, Predicate<String> entityTypes) throws SQLException {
        List<Relation> tables = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT c.oid, n.nspname, c.relname"
                + " FROM pg_publication_tables p JOIN pg_namespace n ON n.nspname = p.schemaname"
                + " JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.tablename"
                + " WHERE p.pubname = ? ORDER BY n.nspname, c.relname")) {
            select.setString(1, publication);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    Relation table = new Relation((int) rows.getLong(1), rows.getString(2), rows.getString(3), 'f',
                            List.of());
                    if (!table.namespace().equals(ChangeFactory.OWN_SCHEMA) && entityTypes.test(table.entityType())) {
                        tables.add(table);
                    }
                }
            }
        }
        List<Relation> withColumns = new ArrayList<>();
        for (Relation table : tables) {
            withColumns.add(withColumns(connection, table));
        }
        return withColumns;
    }

    private static Relation withColumns(Connection connection, Relation table) throws SQLException {
        List<Relation.Column> columns = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT attname, atttypid, atttypmod"
                + " FROM pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped AND attgenerated = ''"
                + " ORDER BY attnum")) {
            select.setLong(1, Integer.toUnsignedLong(table.oid()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    columns.add(new Relation.Column(rows.getString(1), (int) rows.getLong(2), rows.getInt(3), false));
                }
            }
        }
        return new Relation(table.oid(), table.namespace(), table.name(), 'f', columns);
    }

    /** PostgreSQL's estimate of the tables' rows ({@code pg_class.reltuples}; -1 for a table never analysed). */
    private static long estimatedRows(Connection connection, List<Relation> tables) throws SQLException {
        long total = 0;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = ?")) {
            for (Relation table : tables) {
                select.setLong(1, Integer.toUnsignedLong(table.oid()));
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        total += row.getLong(1);
                    }
                }
            }
        }
        return total;
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the snapshot connection failed: {}", e.toString());
            }
        }
    }

    /** One snapshot: truncates first, then the rows of each table in turn, through a server-side cursor. */
    private static final class SourceSnapshot implements Snapshot {

        private final Connection connection;
        private final Lsn position;
        private final List<Relation> tables;
        private final Instant time;
        private final long estimatedRows;
        private final ChangeFactory factory;
        private int nextTable;
        private boolean truncatesSent;
        private RelationShape shape;
        private Statement statement;
        private ResultSet rows;

        SourceSnapshot(Connection connection, Lsn position, List<Relation> tables, Instant time, long estimatedRows) {
            this.connection = connection;
            this.estimatedRows = estimatedRows;
            this.position = position;
            this.tables = tables;
            this.time = time;
            this.factory = new ChangeFactory(new TypeCatalog(connection), PrimaryKeys.from(connection));
        }

        @Override
        public Lsn position() {
            return position;
        }

        @Override
        public List<String> entityTypes() {
            return tables.stream().map(Relation::entityType).toList();
        }

        @Override
        public java.util.OptionalLong estimatedRows() {
            return java.util.OptionalLong.of(estimatedRows);
        }

        @Override
        public List<Change> next(int max, long maxBytes) {
            List<Change> changes = new ArrayList<>(Math.min(max, FETCH_SIZE));
            long bytes = 0;
            if (!truncatesSent) {
                truncatesSent = true;
                for (Relation table : tables) {
                    changes.add(Change.truncate(table.entityType(), time));
                    bytes += 96 + table.entityType().length();
                }
            }
            try {
                while (changes.size() < max && (changes.isEmpty() || bytes < maxBytes)) {
                    if (rows == null && !openNextTable()) {
                        break;
                    }
                    if (!rows.next()) {
                        closeTable();
                        continue;
                    }
                    int width = shape.types().length;
                    byte[] kinds = new byte[width];
                    String[] values = new String[width];
                    for (int column = 0; column < width; column++) {
                        values[column] = rows.getString(column + 1);
                        kinds[column] = values[column] == null ? TupleData.NULL : TupleData.TEXT;
                    }
                    Change row = factory.upsert(shape, new TupleData(kinds, values), time);
                    bytes += 96 + row.entityType().length() + row.entityId().length() + row.data().length();
                    changes.add(row);
                }
            } catch (SQLException e) {
                throw new CaptureException(CaptureError.SOURCE, "reading the resync snapshot failed: " + e.getMessage(), e);
            }
            return changes;
        }

        private boolean openNextTable() throws SQLException {
            if (nextTable >= tables.size()) {
                return false;
            }
            Relation table = tables.get(nextTable++);
            factory.relation(table);
            shape = factory.shape(table.oid());
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int i = 0; i < table.columns().size(); i++) {
                // format('%s', …) calls the type's output function, as pgoutput does; a ::text cast would not
                // (char(n) loses its padding, inet hosts gain a netmask, booleans read true/false).
                String column = quote(table.columns().get(i).name());
                sql.append(i == 0 ? "" : ", ").append("CASE WHEN ").append(column).append(" IS NULL THEN NULL ELSE format('%s', ")
                        .append(column).append(") END");
            }
            if (table.columns().isEmpty()) {
                sql.append("NULL");
            }
            sql.append(" FROM ").append(quote(table.namespace())).append('.').append(quote(table.name()));
            statement = connection.createStatement();
            statement.setFetchSize(FETCH_SIZE);
            rows = statement.executeQuery(sql.toString());
            return true;
        }

        private void closeTable() throws SQLException {
            rows.close();
            statement.close();
            rows = null;
            statement = null;
        }

        private static String quote(String identifier) {
            return '"' + identifier.replace("\"", "\"\"") + '"';
        }

        @Override
        public void close() {
            try {
                connection.rollback();
            } catch (SQLException e) {
                log.debug("ending the snapshot transaction failed: {}", e.toString());
            }
            closeQuietly(connection);
        }
    }
}
