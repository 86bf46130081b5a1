package dev.tidemark.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.ChangeLogs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

@DisplayName("status, check and serve --help need and name only what exists")
class CommandsTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static SourceSettings database;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void createDatabase() {
        database = postgres.createDatabase();
    }

    private int run(String... args) {
        CommandLine command = TidemarkServer.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    /** The URL with the user in it, as a person pastes it. */
    private static String urlWithUser(String user) {
        return urlWithUser(database, user);
    }

    private static String urlWithUser(SourceSettings database, String user) {
        return database.jdbcUrl() + (database.jdbcUrl().contains("?") ? "&" : "?") + "user=" + user;
    }

    @Test
    @DisplayName("status needs only the change log's URL: no tables, no secret")
    void statusNeedsOnlyAUrl() {
        int code = run("status", "--source", urlWithUser(database.user() == null ? "postgres" : database.user()));
        assertThat(err.toString()).doesNotContain("tables", "secret", "managePublication");
        assertThat(out.toString()).as("stderr: %s", err).contains("no history yet");
        assertThat(code).isEqualTo(1);
    }

    @Test
    @DisplayName("status creates nothing: a database without a change log keeps having none")
    void statusCreatesNoSchema() throws SQLException {
        SourceSettings fresh = postgres.createDatabase();
        int code = run("status", "--source", urlWithUser(fresh, fresh.user() == null ? "postgres" : fresh.user()));
        assertThat(out.toString()).as("stderr: %s", err).contains("no history yet", "no change log");
        assertThat(code).isEqualTo(1);
        assertThat(query(fresh, "SELECT to_regnamespace('tidemark') IS NULL")).isEqualTo("t");
    }

    @Test
    @DisplayName("status refuses a change log of an older version with what to do, and does not upgrade it")
    void statusDoesNotUpgradeAnOlderChangeLog() throws SQLException {
        SourceSettings older = postgres.createDatabase();
        ChangeLogs.open("postgres", older.asChangeLogConfig()).close();
        // As if the newest migration had not run: a change log of the version before.
        String removed = query(older, "DELETE FROM tidemark.flyway_schema_history WHERE installed_rank ="
                + " (SELECT max(installed_rank) FROM tidemark.flyway_schema_history) RETURNING version");
        String history = query(older, "SELECT string_agg(version || ':' || checksum, ',' ORDER BY installed_rank)"
                + " FROM tidemark.flyway_schema_history");

        int code = run("status", "--source", urlWithUser(older, older.user() == null ? "postgres" : older.user()));

        assertThat(code).isNotZero();
        int before = Integer.parseInt(removed) - 1;
        assertThat(err.toString()).contains("at version " + before, "reads version " + removed,
                "start a server of this version");
        assertThat(query(older, "SELECT string_agg(version || ':' || checksum, ',' ORDER BY installed_rank)"
                + " FROM tidemark.flyway_schema_history")).as("Flyway's history after status").isEqualTo(history);
    }

    private static String query(SourceSettings database, String sql) throws SQLException {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    @Test
    @DisplayName("status fails at once with PostgreSQL's own message for a role that does not exist")
    void statusFailsFast() {
        long start = System.nanoTime();
        int code = run("status", "--source", urlWithUser("no_such_role"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("no_such_role").doesNotContain("Connection is not available");
    }

    @Test
    @DisplayName("check needs only the source URL, and takes --tables")
    void checkNeedsOnlyAUrl() {
        String url = urlWithUser(database.user() == null ? "postgres" : database.user());
        assertThat(run("check", "--source", url)).as("out: %s%nerr: %s", out, err).isZero();
        assertThat(run("check", "--source", url, "--tables", "customers,orders")).as("out: %s%nerr: %s", out, err).isZero();
        assertThat(out.toString()).contains("ready for capture");
    }

    @Test
    @DisplayName("serve --help lists the settings that the unknown-setting error points to")
    void serveHelpListsSettings() {
        assertThat(run("serve", "--help")).isZero();
        assertThat(out.toString()).contains("tidemark.capture.manage-publication", "tidemark.http.port",
                "tidemark.auth.secret", "docs/operations.md");
        assertThat(run("check", "--source", database.jdbcUrl(), "--set", "tidemark.no-such=1")).isNotZero();
        assertThat(err.toString()).contains("tidemark.no-such", "tidemark serve --help");
    }

    @Test
    @DisplayName("a missing capture table names the setting, not a builder method")
    void captureTablesErrorNamesTheSetting() {
        assertThat(run("serve", "--source", database.jdbcUrl(), "--set", "tidemark.auth.secret="
                + "a-secret-of-at-least-thirty-two-bytes-0123")).isNotZero();
        assertThat(err.toString()).contains("tidemark.capture.tables").doesNotContain("managePublication=");
    }
}
