package dev.tidemark.server.changelog.postgres;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.ChangeLogException;
import dev.tidemark.server.spi.LoggedChange;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes one append: new changes with {@code COPY}, the transactions it completes, and the capture
 * position, in the caller's transaction. See {@link AppendPlan} for how replays are dropped.
 */
final class ChangeAppender {

    private static final String COPY_CHANGES = "COPY tidemark.change_history"
            + " (lsn, seq, xid, op, entity_type, entity_id, data) FROM STDIN";
    private static final int COPY_CHUNK = 1 << 16;

    private final CopyBuffer buffer = new CopyBuffer(1 << 16);

    /**
     * Appends in {@code connection}'s open transaction; the caller commits.
     *
     * @return the state before and the plan that was written
     */
    synchronized AppendResult append(Connection connection, List<LoggedChange> changes, Optional<Lsn> newPosition)
            throws SQLException {
        LogState before = HistoryStateTable.load(connection, true)
                .orElseThrow(() -> new ChangeLogException("the change log holds no history yet: start one first"));
        AppendPlan plan = AppendPlan.of(before, changes, newPosition);
        if (!plan.toWrite().isEmpty()) {
            copyChanges(connection, plan.toWrite());
        }
        if (!plan.completed().isEmpty()) {
            insertTransactions(connection, plan.completed());
        }
        if (!plan.newState().equals(before)) {
            HistoryStateTable.saveCapture(connection, plan.newState());
        }
        return new AppendResult(before, plan);
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

    /**
     * One element of an outer {@code text[]} literal that is itself the literal of a {@code text[]}:
     * {@code "{\"a\",\"b\"}"}. The SQL casts each element back to {@code text[]}.
     */
    private static String nestedArrayElement(Set<String> values) {
        StringBuilder inner = new StringBuilder("{");
        for (String value : new TreeSet<>(values)) {
            inner.append(inner.length() == 1 ? "" : ",").append(quoted(value));
        }
        return quoted(inner.append('}').toString());
    }

    /** A double-quoted array element, backslash and double quote escaped. */
    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void insertTransactions(Connection connection, List<TransactionSummary> transactions)
            throws SQLException {
        int n = transactions.size();
        String[] lsns = new String[n];
        Long[] xids = new Long[n];
        Integer[] counts = new Integer[n];
        Long[] checksums = new Long[n];
        Long[] cumulative = new Long[n];
        String[] committedAt = new String[n];
        StringBuilder entityTypes = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            TransactionSummary transaction = transactions.get(i);
            lsns[i] = transaction.lsn().toString();
            xids[i] = transaction.xid();
            counts[i] = transaction.changeCount();
            checksums[i] = transaction.checksum();
            cumulative[i] = transaction.cumulativeChecksum();
            committedAt[i] = transaction.committedAt().toString();
            entityTypes.append(i == 0 ? "" : ",").append(nestedArrayElement(transaction.entityTypes()));
        }
        entityTypes.append('}');
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tidemark.change_transaction"
                + " (lsn, xid, change_count, checksum, cumulative_checksum, committed_at, entity_types)"
                + " SELECT t.lsn, t.xid, t.change_count, t.checksum, t.cumulative, t.committed_at, e.types::text[]"
                + " FROM unnest(?::text[]::pg_lsn[], ?::int8[], ?::int4[], ?::int8[], ?::int8[],"
                + " ?::text[]::timestamptz[]) WITH ORDINALITY"
                + " AS t(lsn, xid, change_count, checksum, cumulative, committed_at, n)"
                + " JOIN unnest(?::text[]) WITH ORDINALITY AS e(types, n) ON e.n = t.n")) {
            Array[] arrays = {
                connection.createArrayOf("text", lsns),
                connection.createArrayOf("int8", xids),
                connection.createArrayOf("int4", counts),
                connection.createArrayOf("int8", checksums),
                connection.createArrayOf("int8", cumulative),
                connection.createArrayOf("text", committedAt)
            };
            for (int i = 0; i < arrays.length; i++) {
                insert.setArray(i + 1, arrays[i]);
            }
            // A text[] of array literals, one per transaction ({a,b}), cast back to text[] per row.
            insert.setString(arrays.length + 1, entityTypes.toString());
            insert.executeUpdate();
        }
    }
}
