package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.recovery.LoggedTransaction;
import dev.tidemark.recovery.SnapshotCut;
import dev.tidemark.recovery.TransactionSnapshot;
import dev.tidemark.server.feed.SnapshotSource;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogException;
import dev.tidemark.server.spi.HistoryState;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of the published tables for clients that bootstrap or resync, each at an exact position in the
 * change history, found the way {@link SnapshotCut} describes: a {@code REPEATABLE READ} snapshot reports
 * its own visibility ({@code pg_current_snapshot()}) and the WAL insert position just after it; once
 * capture has logged past that position, the snapshot's position is the last logged transaction (of the
 * snapshot's tables) it sees, provided it sees exactly the logged transactions up to there. When it does not
 * (two concurrent commits became visible out of commit order), a new snapshot is taken, a bounded number of
 * times. Rows are read in keyset pages ({@link KeysetSnapshot}) inside the snapshot's transaction, on a connection
 * that reads every result as text ({@link SourceSettings#connectReadingText()}): each type's output function's text,
 * exactly pgoutput's text format, and rendered by the same
 * {@link ChangeFactory} capture uses, so a snapshot row equals the captured row.
 */
public final class SourceSnapshots implements SnapshotSource {

    private static final Logger log = LoggerFactory.getLogger(SourceSnapshots.class);
    /** The most rows a keyset page holds (fewer when rows are large). */
    static final int PAGE_ROWS = 1000;
    private static final int SCAN_PAGE = 1000;
    /** How many snapshots to try before giving up on an exact one; a miss needs a race of microseconds. */
    static final int MAX_ATTEMPTS = 20;
    private static final Duration DEFAULT_CAPTURE_WAIT = Duration.ofSeconds(60);

    private final SourceSettings source;
    private final String publication;
    private final ChangeLog changeLog;
    private final Duration captureWait;
    private final int pageRows;

    public SourceSnapshots(SourceSettings source, String publication, ChangeLog changeLog) {
        this(source, publication, changeLog, DEFAULT_CAPTURE_WAIT);
    }

    /**
     * @param captureWait how long a snapshot waits for capture to log the source up to the snapshot before
     *     it fails (capture stalled or stopped)
     */
    public SourceSnapshots(SourceSettings source, String publication, ChangeLog changeLog, Duration captureWait) {
        this(source, publication, changeLog, captureWait, PAGE_ROWS);
    }

    /**
     * @param captureWait how long a snapshot waits for capture to log the source up to the snapshot before
     *     it fails (capture stalled or stopped)
     * @param pageRows the most rows one keyset page of a snapshot holds
     */
    SourceSnapshots(SourceSettings source, String publication, ChangeLog changeLog, Duration captureWait,
                    int pageRows) {
        this.source = requireNonNull(source, "source is null");
        this.publication = requireNonNull(publication, "publication is null");
        this.changeLog = requireNonNull(changeLog, "changeLog is null");
        this.captureWait = requireNonNull(captureWait, "captureWait is null");
        if (captureWait.isNegative() || captureWait.isZero()) {
            throw new IllegalArgumentException("captureWait must be positive: " + captureWait);
        }
        if (pageRows < 1) {
            throw new IllegalArgumentException("pageRows must be positive: " + pageRows);
        }
        this.pageRows = pageRows;
    }

    @Override
    public Snapshot open(Predicate<String> entityTypes) {
        requireNonNull(entityTypes, "entityTypes is null");
        return openExact(entityTypes, new SnapshotSelection.Whole());
    }

    @Override
    public Snapshot openEntities(String entityType, java.util.Collection<String> entityIds) {
        SnapshotSelection.entityType(entityType);
        requireNonNull(entityIds, "entityIds is null");
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(entityIds));
        return openExact(entityType::equals, new SnapshotSelection.Entities(ids));
    }

    @Override
    public Snapshot openKeyRange(String entityType, String firstId, String lastId) {
        SnapshotSelection.entityType(entityType);
        return openExact(entityType::equals, new SnapshotSelection.KeyRange(firstId, lastId));
    }

    private Snapshot openExact(Predicate<String> entityTypes, SnapshotSelection selection) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Optional<KeysetSnapshot> snapshot = tryOpen(entityTypes, attempt, selection);
            if (snapshot.isPresent()) {
                return snapshot.get();
            }
        }
        throw new CaptureException(CaptureError.SOURCE, "cannot take an exact snapshot of the source: in "
                + MAX_ATTEMPTS + " snapshots, concurrent commits became visible out of their commit order;"
                + " nothing was sent, the client tries again later");
    }

    /** One snapshot, or empty when it has no exact position in the history. */
    private Optional<KeysetSnapshot> tryOpen(Predicate<String> entityTypes, int attempt, SnapshotSelection selection) {
        HistoryState before = changeLog.state()
                .orElseThrow(() -> new ChangeLogException("the change log holds no history yet: no snapshot possible"));
        Connection connection = null;
        try {
            connection = source.connectReadingText();
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            TransactionSnapshot visibility;
            Lsn walAfter;
            Instant time;
            // The first statement fixes the transaction's snapshot before it runs; it reports that very
            // snapshot, then the WAL insert position, which is past every commit the snapshot sees.
            try (Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery(
                            "SELECT pg_current_snapshot()::text, pg_current_wal_insert_lsn()::text, now()")) {
                row.next();
                visibility = TransactionSnapshot.parse(row.getString(1));
                walAfter = Lsn.parse(row.getString(2));
                time = row.getTimestamp(3).toInstant();
            }
            List<Relation> tables = publishedTables(connection, entityTypes);
            if (!(selection instanceof SnapshotSelection.Whole) && tables.isEmpty()) {
                throw new IllegalArgumentException("no published table is the entity type of this snapshot: check the"
                        + " name (schema.table where the schema is not public)");
            }
            Set<String> types = new LinkedHashSet<>();
            tables.forEach(table -> types.add(table.entityType()));
            SnapshotCut cut = new SnapshotCut(before.capturePosition(), visibility, walAfter);
            awaitCapture(walAfter);
            Set<Long> running = new LinkedHashSet<>();
            Arrays.stream(visibility.inProgress()).forEach(xid -> running.add(xid & 0xFFFF_FFFFL));
            Lsn from = cut.scanFrom(changeLog.commitPositions(running, walAfter));
            List<LoggedTransaction> logged = types.isEmpty() ? List.of() : loggedTransactions(from, walAfter, types);
            Optional<Lsn> position = cut.position(from, logged);
            if (position.isEmpty()) {
                log.info("snapshot {} (attempt {}) sees logged transactions out of commit order; taking another",
                        visibility, attempt);
                closeQuietly(connection);
                return Optional.empty();
            }
            log.info("snapshot {} at {} (capture was at {}, WAL at {}, {} logged transactions checked) of {}",
                    visibility, position.get(), before.capturePosition(), walAfter, logged.size(), types);
            KeysetSnapshot snapshot = new KeysetSnapshot(connection, position.get(), tables, time,
                    estimatedRows(connection, tables), selection, pageRows);
            snapshot.start();
            return Optional.of(snapshot);
        } catch (IllegalArgumentException e) {
            closeQuietly(connection);
            throw e;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            throw new CaptureException(CaptureError.SOURCE, "cannot take a snapshot of the source: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Waits until capture has logged every transaction that committed before {@code target}. A heartbeat
     * (which capture writes at once) makes sure the position moves past it on a quiet source too.
     */
    private void awaitCapture(Lsn target) throws SQLException {
        if (capturedUpTo(target)) {
            return;
        }
        try (Connection connection = source.connectReadingText();
                PreparedStatement emit = connection.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
            emit.setString(1, TransactionAssembler.HEARTBEAT_PREFIX);
            emit.setString(2, "snapshot " + target);
            emit.execute();
        }
        long deadline = System.nanoTime() + captureWait.toNanos();
        long pauseNanos = TimeUnit.MILLISECONDS.toNanos(1);
        while (!capturedUpTo(target)) {
            if (System.nanoTime() - deadline > 0) {
                Lsn at = changeLog.state().map(HistoryState::capturePosition).orElse(Lsn.ZERO);
                throw new CaptureException(CaptureError.SOURCE, "capture has not logged the source up to " + target
                        + " within " + captureWait + " (it is at " + at + "): a snapshot needs a running capture;"
                        + " check the capture status (/readyz, the server log)");
            }
            // Capture is another thread (or process) writing the log: poll its durable position, backing off.
            LockSupport.parkNanos(pauseNanos);
            pauseNanos = Math.min(pauseNanos * 2, TimeUnit.MILLISECONDS.toNanos(50));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new CaptureException(CaptureError.SOURCE, "interrupted while waiting for capture to reach "
                        + target);
            }
        }
    }

    private boolean capturedUpTo(Lsn target) {
        return changeLog.state().map(state -> !target.isAfter(state.capturePosition())).orElse(false);
    }

    /** The logged transactions of {@code types} after {@code from} and up to {@code upTo}, one query a page. */
    private List<LoggedTransaction> loggedTransactions(Lsn from, Lsn upTo, Set<String> types) {
        List<LoggedTransaction> transactions = new ArrayList<>();
        LogPosition after = LogPosition.afterTransaction(from);
        while (true) {
            List<LoggedChange> page = changeLog.read(after, upTo, types, SCAN_PAGE);
            for (LoggedChange change : page) {
                if (transactions.isEmpty() || !transactions.get(transactions.size() - 1).commit().equals(change.lsn())) {
                    transactions.add(new LoggedTransaction(change.lsn(), change.xid()));
                }
            }
            if (page.size() < SCAN_PAGE) {
                return transactions;
            }
            // Only one change of each transaction matters: skip the rest of the last one.
            after = LogPosition.afterTransaction(page.get(page.size() - 1).lsn());
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
}
