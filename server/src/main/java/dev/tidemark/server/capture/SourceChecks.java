package dev.tidemark.server.capture;

import dev.tidemark.server.feed.TableProblem;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks at capture start that the source can be captured: a supported PostgreSQL version,
 * {@code wal_level=logical}, and a role allowed to replicate. All problems are reported together, one
 * line each, saying what to change.
 */
final class SourceChecks {

    /** The oldest supported server: 15 has {@code TABLES IN SCHEMA} publications and skips empty transactions. */
    static final int MIN_VERSION_NUM = 150000;

    private SourceChecks() {}

    /**
     * The tables to capture (published, configured, or in a configured schema) that cannot be captured
     * correctly, each with its fix (see {@link TableShape#problem()}). Capture excludes them and captures
     * the others; {@code check} reports them.
     */
    static List<TableProblem> tableProblems(Connection connection, CaptureSettings settings) throws SQLException {
        List<TableProblem> problems = new ArrayList<>();
        for (TableShape shape : SchemaCatalog.configured(connection, settings)) {
            shape.problem().ifPresent(problems::add);
        }
        return problems;
    }

    /** @throws CaptureException naming every problem found */
    static void check(Connection connection) throws SQLException {
        List<String> problems = new ArrayList<>();
        CaptureError first = null;
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT current_setting('server_version_num')::int,"
                        + " current_setting('server_version'), current_setting('wal_level'),"
                        + " (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user), current_user,"
                        + " current_setting('max_replication_slots')::int, current_setting('max_wal_senders')::int")) {
            row.next();
            int versionNum = row.getInt(1);
            String version = row.getString(2);
            String walLevel = row.getString(3);
            boolean replication = row.getBoolean(4);
            String user = row.getString(5);
            if (versionNum < MIN_VERSION_NUM) {
                problems.add("PostgreSQL " + version + " is not supported: capture needs PostgreSQL 15 or later");
                first = CaptureError.UNSUPPORTED_VERSION;
            }
            if (!"logical".equals(walLevel)) {
                problems.add("wal_level is '" + walLevel + "' but capture needs 'logical': set wal_level = logical in"
                        + " postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL");
                first = first == null ? CaptureError.WAL_LEVEL : first;
            }
            if (!replication) {
                problems.add("role " + user + " may not replicate: ALTER ROLE " + user + " REPLICATION");
                first = first == null ? CaptureError.NO_REPLICATION_PRIVILEGE : first;
            }
            if (row.getInt(6) < 1 || row.getInt(7) < 1) {
                problems.add("max_replication_slots and max_wal_senders must be at least 1 (they are "
                        + row.getInt(6) + " and " + row.getInt(7) + "); raise them and restart PostgreSQL");
                first = first == null ? CaptureError.SLOT : first;
            }
        }
        if (!problems.isEmpty()) {
            throw new CaptureException(first, "the source database cannot be captured:\n  - "
                    + String.join("\n  - ", problems));
        }
    }
}
