package dev.tidemark.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.client.testing.ExpectedState;
import dev.tidemark.client.testing.ScriptedServer;
import dev.tidemark.client.testing.Workload;
import dev.tidemark.protocol.Lsn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the packaged {@code tidemark-client-cli-*-all.jar} as a user would. */
@DisplayName("The runnable tidemark-client jar")
class ShadedJarIT {

    @TempDir
    Path dir;

    private static Path jar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(file -> file.getFileName().toString().matches("tidemark-client-cli-.*-all\\.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("run mvn package first: no shaded jar in target/"));
        }
    }

    private Process run(List<String> args, Path output) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    @Test
    @DisplayName("syncs a server into a SQLite file with --once")
    void once() throws Exception {
        try (ScriptedServer server = ScriptedServer.builder().start()) {
            server.history().appendAll(Workload.standard(51).transactions(20, 10));
            Lsn head = server.history().head();
            Path file = dir.resolve("todo.db");
            Path output = dir.resolve("out.txt");
            Process process = run(List.of("--server", server.uri().toString(), "--file", file.toString(), "--once",
                    "--progress", "0"), output);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String printed = Files.readString(output);
            assertThat(process.exitValue()).as(printed).isZero();
            assertThat(printed).contains("caught up at " + head);
            try (SyncStore store = SyncStores.open("sqlite", Map.of("path", file.toString()))) {
                assertThat(ExpectedState.of(server.history().changesUpTo(head)).differencesFrom(store)).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("prints its version from the manifest")
    void version() throws Exception {
        Path output = dir.resolve("version.txt");
        Process process = run(List.of("--version"), output);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(output)).startsWith("tidemark-client 0.1.0-SNAPSHOT");
    }
}
