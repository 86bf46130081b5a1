package dev.tidemark.benchmarks.postgres;

import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.server.pg.SourceSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;

/**
 * PostgreSQL's own account of the statements it ran during a phase of a benchmark ({@code pg_stat_statements}),
 * when {@code -Dbench.pgStatements=true}: where the source's side of a hop spends its time, which a JVM profile
 * does not see. The embedded PostgreSQL then loads the module ({@link #serverConfig()}); {@link #reset} starts a
 * phase and {@link #print} shows its statements by total execution time.
 */
public final class PgStatements {

    /** The system property that switches it on. */
    public static final String PROPERTY = "bench.pgStatements";

    private PgStatements() {}

    /** Whether the benchmark was asked for it. */
    public static boolean enabled() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** The embedded PostgreSQL's extra settings: the module loaded and I/O timed when enabled, else none. */
    public static Map<String, String> serverConfig() {
        return enabled()
                ? Map.of("shared_preload_libraries", "pg_stat_statements", "pg_stat_statements.track", "all",
                        "track_io_timing", "on")
                : Map.of();
    }

    /** Forgets the statements counted so far (creating the extension the first time); nothing when not enabled. */
    public static void reset(SourceSettings source) throws SQLException {
        if (!enabled()) {
            return;
        }
        try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            statement.execute("SELECT pg_stat_statements_reset()");
        }
    }

    /**
     * Prints the {@code top} statements since the last {@link #reset} by total execution time: calls, rows, total and
     * mean milliseconds, blocks read and written, and the statement's text (white space folded, cut at 160
     * characters); {@code per} divides the total into a cost per unit of the phase (e.g. per change).
     */
    public static void print(SourceSettings source, String phase, long per, String unit, int top, PrintStream out)
            throws SQLException {
        if (!enabled()) {
            return;
        }
        try (Connection connection = source.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT calls, rows, total_exec_time, mean_exec_time,"
                     + " shared_blks_read + local_blks_read, shared_blks_written + local_blks_written + shared_blks_dirtied,"
                     + " left(regexp_replace(query, '\\s+', ' ', 'g'), 160), sum(total_exec_time) OVER ()"
                     + " FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'"
                     + " ORDER BY total_exec_time DESC LIMIT " + top)) {
            boolean header = true;
            while (rows.next()) {
                if (header) {
                    out.printf(Locale.ROOT, "pg_stat_statements, %s: %.0f ms of execution in all, %.2f µs per %s%n",
                            phase, rows.getDouble(8), rows.getDouble(8) * 1e3 / per, unit);
                    out.println("  | calls | rows | total ms | mean ms | µs per " + unit
                            + " | blocks read | blocks written or dirtied | statement |");
                    header = false;
                }
                out.printf(Locale.ROOT, "  | %,d | %,d | %,.1f | %.3f | %.3f | %,d | %,d | %s |%n", rows.getLong(1),
                        rows.getLong(2), rows.getDouble(3), rows.getDouble(4), rows.getDouble(3) * 1e3 / per,
                        rows.getLong(5), rows.getLong(6), rows.getString(7).replace("|", "\\|"));
            }
        }
    }

    /** An embedded PostgreSQL in {@code dataDirectory} on a free port, with the module when enabled. */
    public static EmbeddedPostgresSettings settings(Path dataDirectory) {
        return new EmbeddedPostgresSettings(dataDirectory, 0, serverConfig());
    }
}
