package dev.tidemark.server.changelog.postgres;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.ChangeLogException;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.StaleLeaderException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes one append: new changes with {@code COPY}, the transactions it completes, and the capture
 * position, in the caller's transaction. See {@link AppendPlan} for how replays are dropped.
 *
 * <p>When this node leads with an epoch ({@link #fence}), the append first checks, in the same transaction, that
 * the log's leader epoch is still that one (and keeps it so until commit: a row share lock that a takeover's
 * update waits for); else it is refused. An append that moves the capture position also sends
 * {@value #APPENDED_CHANNEL} with the new position, which PostgreSQL delivers to the other nodes on commit only.
 */
final class ChangeAppender {

    private static final String COPY_CHANGES = "COPY tidemark.change_history"
            + " (lsn, seq, xid, op, entity_type, entity_id, data, from_id) FROM STDIN";
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
     * @return the state before and the plan that was written
     */
    synchronized AppendResult append(Connection connection, List<LoggedChange> changes, Optional<Lsn> newPosition)
            throws SQLException {
        checkEpoch(connection, "append");
        LogState before = HistoryStateTable.load(connection, true)
                .orElseThrow(() -> new ChangeLogException("the change log holds no history yet: start one first"));
        AppendPlan plan = AppendPlan.of(before, changes, newPosition);
        if (!plan.toWrite().isEmpty()) {
            copyChanges(connection, plan.toWrite());
        }
        if (!plan.completed().isEmpty()) {
            copyTransactions(connection, plan.completed());
            copyTypeChecksums(connection, plan.completed());
        }
        if (!plan.newState().equals(before)) {
            HistoryStateTable.saveCapture(connection, plan.newState());
        }
        if (plan.newState().capturePosition().isAfter(before.capturePosition())) {
            notifyAppended(connection, plan.newState().capturePosition());
        }
        return new AppendResult(before, plan);
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

    private static void notifyAppended(Connection connection, Lsn position) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
            statement.setString(1, APPENDED_CHANNEL);
            statement.setString(2, position.toString());
            statement.execute();
        }
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
