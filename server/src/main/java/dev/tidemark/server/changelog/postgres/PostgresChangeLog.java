package dev.tidemark.server.changelog.postgres;

import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.CHANGE_HISTORY;
import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.CHANGE_TRANSACTION;
import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.CLIENT_PROGRESS;
import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.HISTORY_STATE;
import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.TYPE_CHECKSUM;
import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.CaptureLeadership;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogException;
import dev.tidemark.server.spi.ClientProgress;
import dev.tidemark.server.spi.HistoryState;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.TableRefresh;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change log in PostgreSQL's {@code tidemark} schema. Appends are serialised by a row lock on
 * {@code tidemark.history_state}; reads run in parallel on pooled connections.
 */
final class PostgresChangeLog implements ChangeLog {

    private static final Logger log = LoggerFactory.getLogger(PostgresChangeLog.class);

    private final HikariDataSource pool;
    private final ChangeAppender appender = new ChangeAppender();
    private final LeaderTable leadership;

    PostgresChangeLog(HikariDataSource pool) {
        this.pool = requireNonNull(pool, "pool is null");
        this.leadership = new LeaderTable(pool, appender);
    }

    @Override
    public Optional<CaptureLeadership> leadership() {
        return Optional.of(leadership);
    }

    @Override
    public Optional<HistoryState> state() {
        return query("read the history state", connection ->
                HistoryStateTable.load(connection, false).map(LogState::toHistoryState));
    }

    @Override
    public HistoryState startHistory(String historyId, Lsn startPosition) {
        return startHistory(historyId, startPosition, List.of());
    }

    @Override
    public HistoryState startHistory(String historyId, Lsn startPosition, List<TableRefresh> refreshes) {
        requireNonNull(historyId, "historyId is null");
        requireNonNull(refreshes, "refreshes is null");
        requireNonNull(startPosition, "startPosition is null");
        if (historyId.isEmpty() || historyId.length() > 256) {
            throw new IllegalArgumentException("historyId must be 1 to 256 characters");
        }
        return transaction("start history " + historyId, connection -> {
            // Fenced like an append: a node that lost the lead must not switch the shared log to a new history.
            appender.checkEpoch(connection, "start of history " + historyId);
            ChangeLogDsl.run(connection, sql -> {
                sql.execute("LOCK TABLE {0} IN EXCLUSIVE MODE", HISTORY_STATE.table);
                return sql.truncate(CHANGE_HISTORY.table, CHANGE_TRANSACTION.table, CLIENT_PROGRESS.table,
                        TYPE_CHECKSUM.table).execute();
            });
            TableRefreshTable.clear(connection);
            HistoryStateTable.start(connection, historyId, startPosition);
            TableRefreshTable.insert(connection, refreshes, null, startPosition);
            log.info("change log started history {} at {}", historyId, startPosition);
            return new HistoryState(historyId, startPosition, Lsn.ZERO);
        });
    }

    @Override
    public void append(List<LoggedChange> changes, Optional<Lsn> newCapturePosition) {
        append(changes, List.of(), newCapturePosition);
    }

    @Override
    public void append(List<LoggedChange> changes, List<TableRefresh> refreshes, Optional<Lsn> newCapturePosition) {
        requireNonNull(changes, "changes is null");
        requireNonNull(refreshes, "refreshes is null");
        requireNonNull(newCapturePosition, "newCapturePosition is null");
        transaction("append " + changes.size() + " changes", connection -> {
            ChangeAppender.AppendResult result = appender.append(connection, changes, newCapturePosition);
            TableRefreshTable.insert(connection, refreshes, result.before().capturePosition(),
                    result.plan().newState().capturePosition());
            return null;
        });
    }

    @Override
    public List<TableRefresh> refreshes(Lsn after, Lsn upTo) {
        requireNonNull(after, "after is null");
        requireNonNull(upTo, "upTo is null");
        return query("read table refreshes after " + after, connection -> TableRefreshTable.read(connection, after, upTo));
    }

    @Override
    public Map<String, String> capturedTableShapes() {
        return query("read the captured table shapes", TableRefreshTable::shapes);
    }

    @Override
    public void saveCapturedTableShapes(Map<String, String> shapes, List<String> removed) {
        requireNonNull(shapes, "shapes is null");
        requireNonNull(removed, "removed is null");
        if (shapes.isEmpty() && removed.isEmpty()) {
            return;
        }
        transaction("save " + shapes.size() + " captured table shapes", connection -> {
            appender.checkEpoch(connection, "saving captured table shapes");
            TableRefreshTable.saveShapes(connection, shapes, removed);
            return null;
        });
    }

    @Override
    public List<LoggedChange> read(LogPosition after, Lsn upTo, Set<String> entityTypes, int limit) {
        requireNonNull(after, "after is null");
        requireNonNull(upTo, "upTo is null");
        requireNonNull(entityTypes, "entityTypes is null");
        return query("read changes after " + after.lsn(),
                connection -> ChangeQueries.read(connection, after, upTo, entityTypes, limit));
    }

    @Override
    public List<LoggedChange> readExcept(LogPosition after, Lsn upTo, Set<String> excluded, int limit) {
        requireNonNull(after, "after is null");
        requireNonNull(upTo, "upTo is null");
        requireNonNull(excluded, "excluded is null");
        return query("read changes after " + after.lsn(),
                connection -> ChangeQueries.readExcept(connection, after, upTo, excluded, limit));
    }

    @Override
    public Optional<Lsn> nextTransaction(Lsn after, Lsn upTo, Set<String> entityTypes) {
        requireNonNull(after, "after is null");
        requireNonNull(upTo, "upTo is null");
        requireNonNull(entityTypes, "entityTypes is null");
        return query("find the next transaction after " + after,
                connection -> ChangeQueries.nextTransaction(connection, after, upTo, entityTypes));
    }

    @Override
    public long trim(Lsn upTo) {
        requireNonNull(upTo, "upTo is null");
        return transaction("trim through " + upTo, connection -> {
            LogState state = HistoryStateTable.load(connection, true)
                    .orElseThrow(() -> new ChangeLogException("the change log holds no history yet: nothing to trim"));
            Lsn target = upTo.isAfter(state.capturePosition()) ? state.capturePosition() : upTo;
            if (!target.isAfter(state.retainedFrom())) {
                return 0L;
            }
            long checksum = ChangeQueries.checksumThrough(connection, target).orElse(state.trimmedChecksum());
            long removed = ChangeLogDsl.run(connection, sql -> {
                int changes = sql.deleteFrom(CHANGE_HISTORY.table).where(CHANGE_HISTORY.LSN.le(target)).execute();
                sql.deleteFrom(CHANGE_TRANSACTION.table).where(CHANGE_TRANSACTION.LSN.le(target)).execute();
                return changes;
            });
            TableRefreshTable.trim(connection, target);
            ChangeQueries.trimTypeChecksums(connection, target);
            HistoryStateTable.saveRetention(connection, target, checksum);
            return removed;
        });
    }

    @Override
    public OptionalLong checksumThrough(Lsn lsn) {
        requireNonNull(lsn, "lsn is null");
        return query("compute the checksum through " + lsn, connection -> ChangeQueries.checksumThrough(connection, lsn));
    }

    @Override
    public OptionalLong checksumThrough(Lsn lsn, Set<String> entityTypes) {
        requireNonNull(lsn, "lsn is null");
        requireNonNull(entityTypes, "entityTypes is null");
        if (entityTypes.isEmpty()) {
            return checksumThrough(lsn);
        }
        return query("compute the checksum of " + entityTypes + " through " + lsn,
                connection -> ChangeQueries.checksumThrough(connection, lsn, entityTypes));
    }

    @Override
    public List<Lsn> commitPositions(Set<Long> xids, Lsn upTo) {
        requireNonNull(xids, "xids is null");
        requireNonNull(upTo, "upTo is null");
        if (xids.isEmpty()) {
            return List.of();
        }
        return query("find the commits of transactions " + xids, connection ->
                ChangeQueries.commitPositions(connection, xids, upTo));
    }

    @Override
    public Optional<Lsn> lastCommitBefore(Instant time) {
        requireNonNull(time, "time is null");
        return query("find the last commit before " + time, connection -> ChangeQueries.lastCommitBefore(connection, time));
    }

    @Override
    public Optional<Lsn> horizonKeeping(long maxChanges) {
        if (maxChanges < 0) {
            throw new IllegalArgumentException("maxChanges is negative: " + maxChanges);
        }
        return query("find the size horizon", connection -> ChangeQueries.horizonKeeping(connection, maxChanges));
    }

    @Override
    public long retainedChanges() {
        return query("count the retained changes", ChangeQueries::retainedChanges);
    }

    @Override
    public void saveProgress(List<ClientProgress> progress) {
        requireNonNull(progress, "progress is null");
        if (progress.isEmpty()) {
            return;
        }
        transaction("save progress of " + progress.size() + " clients", connection -> {
            ClientProgressTable.save(connection, progress);
            return null;
        });
    }

    @Override
    public List<ClientProgress> progress() {
        return query("read client progress", ClientProgressTable::load);
    }

    @Override
    public void close() {
        pool.close();
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T query(String what, Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new ChangeLogException("change log could not " + what + ": " + e.getMessage(), e);
        }
    }

    private <T> T transaction(String what, Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(connection, e);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new ChangeLogException("change log could not " + what + "; nothing was changed: " + e.getMessage(), e);
        }
    }

    private static void rollback(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
