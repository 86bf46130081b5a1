package dev.tidemark.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import java.io.PrintWriter;
import java.io.StringWriter;
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
