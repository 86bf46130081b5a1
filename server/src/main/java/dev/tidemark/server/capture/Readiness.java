package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.server.feed.TableProblem;
import dev.tidemark.server.pg.SourceSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A read-only check of whether a PostgreSQL is ready for capture — what {@code tidemark check}
 * prints. It changes nothing: a missing publication or slot is reported together with whether
 * capture would create it.
 */
public final class Readiness {

    /** One finding: {@code ok} or a problem, with what to do. */
    public record Finding(boolean ok, String text) {
        public Finding {
            requireNonNull(text, "text is null");
        }
    }

    private Readiness() {}

    /** Checks {@code source} against {@code settings}. */
    public static List<Finding> check(SourceSettings source, CaptureSettings settings) {
        List<Finding> findings = new ArrayList<>();
        try (Connection connection = source.connect()) {
            findings.add(new Finding(true, "connected to " + source.redactedUrl()));
            try {
                SourceChecks.check(connection);
                findings.add(new Finding(true, "PostgreSQL version, wal_level=logical, replication role and slot limits"));
            } catch (CaptureException e) {
                findings.add(new Finding(false, e.getMessage()));
            }
            findings.add(publication(connection, settings));
            List<TableProblem> problems = SourceChecks.tableProblems(connection, settings);
            for (TableProblem problem : problems) {
                findings.add(new Finding(false, problem.describe() + " (capture excludes it and captures the other"
                        + " tables; clients that want it see their view as incomplete)"));
            }
            findings.add(slot(connection, settings));
        } catch (SQLException e) {
            findings.add(new Finding(false, "cannot connect to " + source.redactedUrl() + ": " + e.getMessage()));
        }
        return findings;
    }

    private static Finding publication(Connection connection, CaptureSettings settings) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT count(*) FROM pg_publication_tables WHERE pubname = ?");
             PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            exists.setString(1, settings.publicationName());
            try (ResultSet row = exists.executeQuery()) {
                if (!row.next()) {
                    return new Finding(settings.managePublication(), "publication " + settings.publicationName()
                            + " does not exist" + (settings.managePublication() ? "; capture will create it"
                            : " and tidemark.capture.manage-publication is false: CREATE PUBLICATION "
                            + settings.publicationName() + " FOR TABLE ..."));
                }
            }
            query.setString(1, settings.publicationName());
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return new Finding(true, "publication " + settings.publicationName() + " publishes " + row.getLong(1)
                        + " tables" + (settings.managePublication() ? " (capture aligns it with the configured tables)" : ""));
            }
        }
    }

    private static Finding slot(Connection connection, CaptureSettings settings) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT plugin, coalesce(wal_status, 'unknown') FROM pg_replication_slots WHERE slot_name = ?")) {
            query.setString(1, settings.slotName());
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return new Finding(settings.createSlot(), "replication slot " + settings.slotName() + " does not exist"
                            + (settings.createSlot() ? "; capture will create it (a new history starts)"
                            : " and tidemark.capture.create-slot is false"));
                }
                String plugin = row.getString(1);
                String walStatus = row.getString(2);
                if (!"pgoutput".equals(plugin)) {
                    return new Finding(false, "replication slot " + settings.slotName() + " uses plugin " + plugin
                            + ", not pgoutput: drop it or name another slot");
                }
                if ("lost".equals(walStatus)) {
                    return new Finding(false, "replication slot " + settings.slotName() + " is invalidated (WAL removed):"
                            + " capture will start a new history and clients will resync");
                }
                return new Finding(true, "replication slot " + settings.slotName() + " (pgoutput, WAL " + walStatus + ")");
            }
        }
    }
}
