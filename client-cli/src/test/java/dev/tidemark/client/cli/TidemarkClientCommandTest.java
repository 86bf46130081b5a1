package dev.tidemark.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.client.testing.ExpectedState;
import dev.tidemark.client.testing.ScriptedServer;
import dev.tidemark.client.testing.Workload;
import dev.tidemark.protocol.Lsn;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@DisplayName("tidemark-client")
class TidemarkClientCommandTest {

    @TempDir
    Path dir;

    private ScriptedServer server;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private int run(String... args) {
        CommandLine command = TidemarkClientCommand.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    private List<String> args(Path file, String... more) {
        List<String> args = new ArrayList<>(List.of("--server", server.uri().toString(), "--file", file.toString(),
                "--progress", "0"));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    @DisplayName("--once syncs the server into a SQLite file and stops when caught up")
    void once() {
        server = ScriptedServer.builder().batchMaxChanges(50).start();
        server.history().appendAll(Workload.standard(41).transactions(30, 10));
        Lsn head = server.history().head();
        Path file = dir.resolve("todo.db");
        int code = run(args(file, "--once", "--verify").toArray(String[]::new));
        assertThat(code).as("stderr: %s", err).isEqualTo(0);
        assertThat(out.toString()).contains("syncing " + server.uri(), "caught up at " + head, "300 changes",
                "verify: up_to_date at " + head);
        try (SyncStore store = SyncStores.open("sqlite", Map.of("path", file.toString()))) {
            assertThat(store.committedLsn()).isEqualTo(head);
            assertThat(ExpectedState.of(server.history().changesUpTo(head)).differencesFrom(store)).isEmpty();
        }
    }

    @Test
    @DisplayName("sends the token from --token-file and keeps the client id it was given")
    void tokenFileAndClientId() throws Exception {
        server = ScriptedServer.builder().token("abc").start();
        server.history().appendAll(Workload.standard(42).transactions(3, 5));
        Path tokenFile = Files.writeString(dir.resolve("token"), "abc\n");
        int code = run(args(dir.resolve("c.db"), "--once", "--token-file", tokenFile.toString(),
                "--client-id", "kiosk-1", "--subscribe", "todo,sales.orders").toArray(String[]::new));
        assertThat(code).as("stderr: %s", err).isZero();
        assertThat(server.authorizations()).containsExactly("Bearer abc");
        assertThat(server.hellos().get(0).clientId()).isEqualTo("kiosk-1");
        assertThat(server.hellos().get(0).subscriptions()).containsExactly("todo", "sales.orders");
    }

    /** A token in the server's form ({@code base64url(payload).signature}); the scripted server compares it whole. */
    private static String tokenFor(String clientId) {
        String payload = "{\"clientId\":\"" + clientId + "\",\"entityTypes\":[\"*\"],\"exp\":4102444800}";
        java.util.Base64.Encoder base64 = java.util.Base64.getUrlEncoder().withoutPadding();
        return base64.encodeToString(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "."
                + base64.encodeToString("signature".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("without --client-id, syncs as the client the token names (as docs/client.md runs it)")
    void clientIdFromToken() {
        String token = tokenFor("cli-1");
        server = ScriptedServer.builder().token(token).start();
        server.history().appendAll(Workload.standard(45).transactions(3, 5));
        int code = run(args(dir.resolve("t.db"), "--once", "--token", token, "--timeout", "15s").toArray(String[]::new));
        assertThat(code).as("stderr: %s", err).isZero();
        assertThat(out.toString()).contains("as client 'cli-1'");
        assertThat(server.hellos()).extracting(hello -> hello.clientId()).containsOnly("cli-1");
    }

    @Test
    @DisplayName("a --client-id that differs from the token's is refused before connecting, naming both")
    void differingClientId() {
        server = ScriptedServer.builder().start();
        int code = run(args(dir.resolve("d.db"), "--once", "--token", tokenFor("cli-1"), "--client-id", "kiosk-7")
                .toArray(String[]::new));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("'kiosk-7'", "'cli-1'");
        assertThat(server.connections()).isZero();
    }

    @Test
    @DisplayName("no token at all is reported as missing, not as a refused token")
    void missingToken() {
        server = ScriptedServer.builder().token("right").start();
        int code = run(args(dir.resolve("m.db"), "--once").toArray(String[]::new));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("no token given");
    }

    @Test
    @DisplayName("--timeout takes the server's duration syntax (15s, 2m) as well as ISO-8601")
    void durations() {
        assertThat(Durations.parse("15s")).hasSeconds(15);
        assertThat(Durations.parse("2m")).hasMinutes(2);
        assertThat(Durations.parse("PT2.5S")).hasMillis(2500);
        assertThat(run("--timeout", "soon", "--once")).isEqualTo(2);
        assertThat(err.toString()).contains("bad --timeout", "30s");
    }

    @Test
    @DisplayName("a SQLite file that cannot be opened because of its directory says so")
    void storeDirectoryNamed() throws Exception {
        server = ScriptedServer.builder().start();
        Path notADirectory = Files.writeString(dir.resolve("notes.txt"), "a file");
        Path file = notADirectory.resolve("c.db");
        int code = run(args(file, "--once").toArray(String[]::new));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains(notADirectory.toAbsolutePath() + " is a file, not a directory");
    }

    @Test
    @DisplayName("prints progress lines while it syncs")
    void progress() {
        server = ScriptedServer.builder().streaming(false).start();
        server.history().appendAll(Workload.standard(43).transactions(3, 5));
        int code = run("--server", server.uri().toString(), "--file", dir.resolve("p.db").toString(), "--once",
                "--progress", "1", "--timeout", "PT2.5S");
        assertThat(code).isEqualTo(4);
        assertThat(out.toString()).containsPattern("CONNECTED +committed 0/0 +server 0/1000300 +lag 16.0 MiB +0 changes/s");
        assertThat(out.toString()).contains("not caught up within PT2.5S");
    }

    @Test
    @DisplayName("exits 1 with the reason when the server refuses the token")
    void refused() {
        server = ScriptedServer.builder().token("right").start();
        int code = run(args(dir.resolve("c.db"), "--once", "--token", "wrong").toArray(String[]::new));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("HTTP 401", "check it");
    }

    @Test
    @DisplayName("--once --verify asks again when the server refused the verify as too soon after the last one")
    void verifyRefusedAsTooSoon() {
        server = ScriptedServer.builder().start();
        server.history().appendAll(Workload.standard(45).transactions(3, 5));
        Lsn head = server.history().head();
        server.refuseVerifies(2);
        int code = run(args(dir.resolve("v.db"), "--once", "--verify").toArray(String[]::new));
        assertThat(code).as("stdout: %s stderr: %s", out, err).isZero();
        assertThat(out.toString()).contains("the server refused sync_verify", "asking again in 1 s",
                "verify: up_to_date at " + head);
        assertThat(server.verifies()).hasSize(3);
    }

    @Test
    @DisplayName("exits 3 when the store must be resynced")
    void resync() {
        server = ScriptedServer.builder().start();
        server.history().appendAll(Workload.standard(44).transactions(3, 5));
        Path file = dir.resolve("c.db");
        assertThat(run(args(file, "--once").toArray(String[]::new))).isZero();
        server.historyId("another-history");
        assertThat(run(args(file, "--once").toArray(String[]::new))).isEqualTo(3);
        assertThat(err.toString()).contains("must be resynced");
    }

    @Test
    @DisplayName("exits 1 naming the available stores when the store is unknown")
    void unknownStore() {
        server = ScriptedServer.builder().start();
        int code = run("--server", server.uri().toString(), "--store", "nosuch", "--once");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("no store named 'nosuch'", "available:", "sqlite");
    }

    @Test
    @DisplayName("exits 2 with usage for bad options")
    void usage() {
        assertThat(run("--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option", "Usage: tidemark-client");
        StringWriter fresh = new StringWriter();
        CommandLine command = TidemarkClientCommand.commandLine();
        command.setErr(new PrintWriter(fresh, true));
        assertThat(command.execute("--store", "postgres", "--file", "x.db")).isEqualTo(2);
        assertThat(fresh.toString()).contains("--file is the SQLite file");
    }

    @Test
    @DisplayName("--help lists the options and exit codes")
    void help() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--once", "--eager-lsn", "UNSAFE", "--store-setting", "Exit codes:", "3");
    }

    @Test
    @DisplayName("--store-help NAME lists the settings the store declares, and exits 0 without syncing")
    void storeHelp() {
        assertThat(run("--store-help", "sqlite")).as("stderr: %s", err).isZero();
        assertThat(out.toString()).contains("settings of store 'sqlite' (give them with -S KEY=VALUE):",
                "  path (path, required): the database file", "  durability (", "default full");
        assertThat(out.toString()).doesNotContain("syncing");
    }

    @Test
    @DisplayName("--store-help with an unknown store exits 2 and names the stores there are")
    void storeHelpOfAnUnknownStore() {
        assertThat(run("--store-help", "nosuch")).isEqualTo(2);
        assertThat(err.toString()).contains("bad --store-help: no store named 'nosuch'", "available:", "sqlite");
    }

    @Test
    @DisplayName("--server takes several nodes, comma-separated or repeated, and syncs from the one that answers")
    void severalServers() {
        ScriptedServer gone = ScriptedServer.builder().start();
        String dead = gone.uri().toString();
        gone.close();
        server = ScriptedServer.builder().start();
        server.history().appendAll(Workload.standard(43).transactions(5, 4));
        Lsn head = server.history().head();
        assertThat(run("--server", dead + "," + server.uri(), "--file", dir.resolve("a.db").toString(), "--once",
                "--progress", "0")).as("stderr: %s", err).isEqualTo(0);
        assertThat(out.toString()).contains("syncing " + dead + ", " + server.uri(), "caught up at " + head);
        assertThat(run("--server", dead, "--server", server.uri().toString(), "--file", dir.resolve("b.db").toString(),
                "--once", "--progress", "0")).as("stderr: %s", err).isEqualTo(0);
        try (SyncStore store = SyncStores.open("sqlite", Map.of("path", dir.resolve("b.db").toString()))) {
            assertThat(store.committedLsn()).isEqualTo(head);
        }
    }

    @Test
    @DisplayName("exits 2 for an empty --server and 1 for a URL that is no ws:// or wss:// one, saying why")
    void badServers() {
        assertThat(run("--server", "ws://a:1/sync,,ws://b:1/sync", "--file", dir.resolve("x.db").toString(), "--once"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("bad --server", "a server URL is empty");
        assertThat(run("--server", "ws://a:1/sync,http://b:1/sync", "--file", dir.resolve("y.db").toString(), "--once"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("must start with ws:// or wss://", "http://b:1/sync");
    }
}
