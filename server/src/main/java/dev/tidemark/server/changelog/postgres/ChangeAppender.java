package dev.tidemark.server.changelog.postgres;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.ChangeLogException;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.StaleLeaderException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes one append: new changes with {@code COPY}, the transactions it completes, and the capture
 * position, in the caller's transaction. See {@link AppendPlan} for how replays are dropped.
 *
 * <p>When this node leads with an epoch ({@link #fence}), the append checks, in the statement that locks the log's
 * state, that the log's leader epoch is still that one (and keeps it so until commit: a row share lock that a
 * takeover's update waits for); else it is refused. An append that moves the capture position also sends
 * {@value #APPENDED_CHANNEL} with the new position, which PostgreSQL delivers to the other nodes on commit only.
 */
final class ChangeAppender {

    private static final String COPY_CHANGES = "COPY tidemark.change_history"
            + " (lsn, seq, xid, op, entity_type, entity_id, data, from_id) FROM STDIN";
    /**
     * Everything an append writes after its changes, in one statement (data-modifying CTEs all run): the new
     * changes (arrays; empty when they went by {@code COPY}), the completed transactions, their per-type sums, the
     * log's new state, and the notification of the new position (when it moved; delivered on commit only).
     */
    private static final String WRITE = """
            WITH changes AS (
                INSERT INTO tidemark.change_history (lsn, seq, xid, op, entity_type, entity_id, data, from_id)
                SELECT * FROM unnest(?::pg_lsn[], ?::integer[], ?::bigint[], ?::text[], ?::text[], ?::text[],
                                     ?::text[], ?::text[])),
            transactions AS (
                INSERT INTO tidemark.change_transaction
                    (lsn, xid, change_count, checksum, cumulative_checksum, committed_at, entity_types)
                SELECT lsn, xid, n, sum, total, at, types::text[]
                FROM unnest(?::pg_lsn[], ?::bigint[], ?::integer[], ?::bigint[], ?::bigint[], ?::timestamptz[],
                            ?::text[]) AS t (lsn, xid, n, sum, total, at, types)),
            type_sums AS (
                INSERT INTO tidemark.type_checksum (entity_type, lsn, cumulative_checksum)
                SELECT * FROM unnest(?::text[], ?::pg_lsn[], ?::bigint[])),
            state AS (
                UPDATE tidemark.history_state SET capture_position = ?::pg_lsn, checksum_total = ?,
                    pending_lsn = ?::pg_lsn, pending_seq = ?, pending_checksum = ?, pending_xid = ?,
                    pending_committed_at = ?::timestamptz, pending_entity_types = ?::text[],
                    pending_type_checksums = ?::bigint[], type_names = ?::text[], type_totals = ?::bigint[],
                    updated_at = now()
                WHERE id = 1)
            SELECT pg_notify(?, ?) WHERE ?""";
    /** Up to this many new changes and transactions go in the one write statement; more go by {@code COPY} first. */
    static final int INLINE_CHANGES = 1_000;
    /**
     * Changes whose {@code data} add up to more characters than this go by {@code COPY} too: the write statement
     * sends them as one {@code text[]} value, which PostgreSQL caps at 1 GB (and PgJDBC builds as one string).
     */
    static final long INLINE_DATA_CHARS = 32L * 1024 * 1024;
    private static final String COPY_TRANSACTIONS = "COPY tidemark.change_transaction"
            + " (lsn, xid, change_count, checksum, cumulative_checksum, committed_at, entity_types) FROM STDIN";
    private static final String COPY_TYPE_CHECKSUMS = "COPY tidemark.type_checksum"
            + " (entity_type, lsn, cumulative_checksum) FROM STDIN";
    private static final int COPY_CHUNK = 1 << 16;

    /** The channel on which every append that moved the capture position notifies the new position. */
    static final String APPENDED_CHANNEL = "tidemark_appended";
    /** No epoch: appends are not fenced (a log no node took the lead of through {@link LeaderTable}). */
    static final long UNFENCED = -1;
    /** This node gave up the lead: every append is refused until it takes the lead again. */
    static final long REVOKED = -2;

    private final CopyBuffer buffer = new CopyBuffer(1 << 16);
    private volatile long epoch = UNFENCED;

    /** Fences the following appends by {@code epoch} ({@link #REVOKED} to refuse them all). */
    void fence(long epoch) {
        this.epoch = epoch;
    }

    /**
     * Appends in {@code connection}'s open transaction; the caller commits.
     *
     * <p>Two statements for an append of up to {@value #INLINE_CHANGES} changes: one reads the log's state (row
     * locked) together with the leader epoch (row share-locked), one writes the changes, their transactions' rows
     * and per-type sums, the new state and the notification, all as a single statement with array parameters.
     * Larger appends (more than {@value #INLINE_CHANGES} changes or transactions, or more than {@value
     * #INLINE_DATA_CHARS} characters of data) send their rows with {@code COPY}
     * first (faster per row) and then the same statement for the state and the notification.
     *
     * @return the state before and the plan that was written
     */
    synchronized AppendResult append(Connection connection, List<LoggedChange> changes, Optional<Lsn> newPosition)
            throws SQLException {
        LogState before = loadFenced(connection);
        AppendPlan plan = AppendPlan.of(before, changes, newPosition);
        // Many rows: COPY is faster per row than array parameters, and its round trips are shared by many rows.
        boolean copy = plan.toWrite().size() > INLINE_CHANGES || plan.completed().size() > INLINE_CHANGES
                || dataChars(plan.toWrite()) > INLINE_DATA_CHARS;
        if (copy) {
            if (!plan.toWrite().isEmpty()) {
                copyChanges(connection, plan.toWrite());
            }
            if (!plan.completed().isEmpty()) {
                copyTransactions(connection, plan.completed());
                copyTypeChecksums(connection, plan.completed());
            }
        }
        if (!plan.toWrite().isEmpty() || !plan.completed().isEmpty() || !plan.newState().equals(before)) {
            write(connection, copy ? List.of() : plan.toWrite(), copy ? List.of() : plan.completed(),
                    plan.newState(), plan.movesPosition(before));
        }
        return new AppendResult(before, plan);
    }

    private static long dataChars(List<LoggedChange> changes) {
        long chars = 0;
        for (LoggedChange change : changes) {
            String data = change.change().data();
            chars += data == null ? 0 : data.length();
        }
        return chars;
    }

    /** The log's state, row locked, after checking (in the same statement when fenced) the leader epoch. */
    private LogState loadFenced(Connection connection) throws SQLException {
        long mine = epoch;
        if (mine == REVOKED) {
            throw revoked("append");
        }
        if (mine != UNFENCED) {
            try (PreparedStatement statement = connection.prepareStatement(HistoryStateTable.LOAD_FENCED);
                    ResultSet row = statement.executeQuery()) {
                if (row.next()) {
                    long current = row.getLong(HistoryStateTable.LEADER_EPOCH);
                    if (current != mine) {
                        throw stale("append", mine, "epoch " + current + " led by "
                                + row.getString(HistoryStateTable.LEADER_NODE));
                    }
                    return HistoryStateTable.read(row);
                }
            }
            // No history yet, or no leader row: say which.
            checkEpoch(connection, "append");
        }
        return HistoryStateTable.load(connection, true)
                .orElseThrow(() -> new ChangeLogException("the change log holds no history yet: start one first"));
    }

    private void write(Connection connection, List<LoggedChange> changes, List<TransactionSummary> transactions,
                       LogState state, boolean notify) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(WRITE)) {
            int n = changes.size();
            String[] lsns = new String[n];
            Integer[] seqs = new Integer[n];
            Long[] xids = new Long[n];
            String[] ops = new String[n];
            String[] types = new String[n];
            String[] ids = new String[n];
            String[] data = new String[n];
            String[] fromIds = new String[n];
            Lsn lastLsn = null;
            String lsnText = null;
            for (int i = 0; i < n; i++) {
                LoggedChange change = changes.get(i);
                if (!change.lsn().equals(lastLsn)) {
                    lastLsn = change.lsn();
                    lsnText = lastLsn.toString();
                }
                lsns[i] = lsnText;
                seqs[i] = change.seq();
                xids[i] = change.xid();
                ops[i] = change.change().type().wireName();
                types[i] = change.change().entityType();
                ids[i] = change.change().entityId();
                data[i] = change.change().data();
                fromIds[i] = change.change().fromId();
            }
            int p = 1;
            statement.setArray(p++, connection.createArrayOf("text", lsns));
            statement.setArray(p++, connection.createArrayOf("int4", seqs));
            statement.setArray(p++, connection.createArrayOf("int8", xids));
            statement.setArray(p++, connection.createArrayOf("text", ops));
            statement.setArray(p++, connection.createArrayOf("text", types));
            statement.setArray(p++, connection.createArrayOf("text", ids));
            statement.setArray(p++, connection.createArrayOf("text", data));
            statement.setArray(p++, connection.createArrayOf("text", fromIds));

            int t = transactions.size();
            String[] txLsns = new String[t];
            Long[] txXids = new Long[t];
            Integer[] counts = new Integer[t];
            Long[] sums = new Long[t];
            Long[] totals = new Long[t];
            String[] times = new String[t];
            String[] entityTypes = new String[t];
            List<String> sumTypes = new ArrayList<>();
            List<String> sumLsns = new ArrayList<>();
            List<Long> sumTotals = new ArrayList<>();
            for (int i = 0; i < t; i++) {
                TransactionSummary transaction = transactions.get(i);
                txLsns[i] = transaction.lsn().toString();
                txXids[i] = transaction.xid();
                counts[i] = transaction.changeCount();
                sums[i] = transaction.checksum();
                totals[i] = transaction.cumulativeChecksum();
                times[i] = transaction.committedAt().toString();
                entityTypes[i] = arrayLiteral(transaction.entityTypes());
                for (Map.Entry<String, Long> sum : transaction.typeCumulative().entrySet()) {
                    sumTypes.add(sum.getKey());
                    sumLsns.add(txLsns[i]);
                    sumTotals.add(sum.getValue());
                }
            }
            statement.setArray(p++, connection.createArrayOf("text", txLsns));
            statement.setArray(p++, connection.createArrayOf("int8", txXids));
            statement.setArray(p++, connection.createArrayOf("int4", counts));
            statement.setArray(p++, connection.createArrayOf("int8", sums));
            statement.setArray(p++, connection.createArrayOf("int8", totals));
            statement.setArray(p++, connection.createArrayOf("text", times));
            statement.setArray(p++, connection.createArrayOf("text", entityTypes));
            statement.setArray(p++, connection.createArrayOf("text", sumTypes.toArray()));
            statement.setArray(p++, connection.createArrayOf("text", sumLsns.toArray()));
            statement.setArray(p++, connection.createArrayOf("int8", sumTotals.toArray()));

            statement.setString(p++, state.capturePosition().toString());
            statement.setLong(p++, state.checksumTotal());
            PendingTransaction pending = state.pending();
            if (pending == null) {
                statement.setNull(p++, Types.VARCHAR);
                statement.setNull(p++, Types.INTEGER);
                statement.setNull(p++, Types.BIGINT);
                statement.setNull(p++, Types.BIGINT);
                statement.setNull(p++, Types.VARCHAR);
                statement.setNull(p++, Types.VARCHAR);
                statement.setNull(p++, Types.VARCHAR);
            } else {
                Long[] pendingSums = new Long[pending.entityTypes().size()];
                for (int i = 0; i < pendingSums.length; i++) {
                    pendingSums[i] = pending.typeChecksums().getOrDefault(pending.entityTypes().get(i), 0L);
                }
                statement.setString(p++, pending.lsn().toString());
                statement.setInt(p++, pending.lastSeq());
                statement.setLong(p++, pending.checksum());
                statement.setLong(p++, pending.xid());
                statement.setString(p++, pending.committedAt().toString());
                statement.setString(p++, arrayLiteral(pending.entityTypes()));
                statement.setString(p++, longsLiteral(List.of(pendingSums)));
            }
            statement.setArray(p++, connection.createArrayOf("text", state.typeTotals().keySet().toArray()));
            statement.setArray(p++, connection.createArrayOf("int8", state.typeTotals().values().toArray()));
            statement.setString(p++, APPENDED_CHANNEL);
            statement.setString(p++, state.capturePosition().toString());
            statement.setBoolean(p, notify);
            statement.execute();
        }
    }

    private static String longsLiteral(List<Long> values) {
        StringBuilder literal = new StringBuilder("{");
        for (Long value : values) {
            literal.append(literal.length() == 1 ? "" : ",").append(value);
        }
        return literal.append('}').toString();
    }

    /**
     * Checks, in {@code connection}'s open transaction, that this node still leads with its epoch, and keeps the
     * epoch so until commit (a row share lock that a takeover's update waits for); does nothing when unfenced.
     *
     * @param what what is refused otherwise ("append", "start of history h2"), for the message
     * @throws StaleLeaderException when this node gave up the lead or another node took it; nothing was written
     */
    void checkEpoch(Connection connection, String what) throws SQLException {
        long mine = epoch;
        if (mine == UNFENCED) {
            return;
        }
        if (mine == REVOKED) {
            throw revoked(what);
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT epoch, node FROM tidemark.capture_leader FOR SHARE");
                ResultSet row = statement.executeQuery()) {
            boolean found = row.next();
            if (!found || row.getLong(1) != mine) {
                throw stale(what, mine, found ? "epoch " + row.getLong(1) + " led by " + row.getString(2) : "no leader");
            }
        }
    }

    private static StaleLeaderException revoked(String what) {
        return new StaleLeaderException(what + " refused: this node gave up the lead of capture (its lease was lost"
                + " or released); nothing was written. It writes again only after it takes the lead again.");
    }

    private static StaleLeaderException stale(String what, long mine, String now) {
        return new StaleLeaderException(what + " refused: this node no longer leads capture (it led with epoch "
                + mine + ", the change log is now at " + now + "); nothing was written. The node stops"
                + " capturing and waits as a standby.");
    }

    /** The state an append started from and what it wrote. */
    record AppendResult(LogState before, AppendPlan plan) {}

    private void copyChanges(Connection connection, List<LoggedChange> changes) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_CHANGES);
        try {
            buffer.clear();
            // Changes of one transaction share their LSN: format it once.
            Lsn lastLsn = null;
            String lsnText = null;
            for (LoggedChange change : changes) {
                if (!change.lsn().equals(lastLsn)) {
                    lastLsn = change.lsn();
                    lsnText = lastLsn.toString();
                }
                buffer.ascii(lsnText)
                        .number(change.seq())
                        .number(change.xid())
                        .ascii(change.change().type().wireName())
                        .text(change.change().entityType())
                        .text(change.change().entityId())
                        .text(change.change().data())
                        .text(change.change().fromId())
                        .endRow();
                if (buffer.length() >= COPY_CHUNK) {
                    copy.writeToCopy(buffer.bytes(), 0, buffer.length());
                    buffer.clear();
                }
            }
            if (buffer.length() > 0) {
                copy.writeToCopy(buffer.bytes(), 0, buffer.length());
                buffer.clear();
            }
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private void copyTransactions(Connection connection, List<TransactionSummary> transactions) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_TRANSACTIONS);
        try {
            buffer.clear();
            for (TransactionSummary transaction : transactions) {
                buffer.ascii(transaction.lsn().toString())
                        .number(transaction.xid())
                        .number(transaction.changeCount())
                        .number(transaction.checksum())
                        .number(transaction.cumulativeChecksum())
                        .ascii(transaction.committedAt().toString())
                        .text(arrayLiteral(transaction.entityTypes()))
                        .endRow();
                if (buffer.length() >= COPY_CHUNK) {
                    copy.writeToCopy(buffer.bytes(), 0, buffer.length());
                    buffer.clear();
                }
            }
            if (buffer.length() > 0) {
                copy.writeToCopy(buffer.bytes(), 0, buffer.length());
                buffer.clear();
            }
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private void copyTypeChecksums(Connection connection, List<TransactionSummary> transactions) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_TYPE_CHECKSUMS);
        try {
            buffer.clear();
            for (TransactionSummary transaction : transactions) {
                String lsnText = transaction.lsn().toString();
                for (java.util.Map.Entry<String, Long> sum : transaction.typeCumulative().entrySet()) {
                    buffer.text(sum.getKey()).ascii(lsnText).number(sum.getValue()).endRow();
                }
                if (buffer.length() >= COPY_CHUNK) {
                    copy.writeToCopy(buffer.bytes(), 0, buffer.length());
                    buffer.clear();
                }
            }
            if (buffer.length() > 0) {
                copy.writeToCopy(buffer.bytes(), 0, buffer.length());
                buffer.clear();
            }
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /** The {@code text[]} literal of the values: {@code {"a","b"}}, backslash and double quote escaped. */
    static String arrayLiteral(List<String> values) {
        StringBuilder literal = new StringBuilder("{");
        for (String value : values) {
            literal.append(literal.length() == 1 ? "\"" : ",\"")
                    .append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return literal.append('}').toString();
    }
}
