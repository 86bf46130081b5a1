package dev.tidemark.client.testing;

import static dev.tidemark.client.testing.TestClients.sqlite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.recovery.InterruptedApply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A client JVM killed with kill -9 in the middle of syncing")
class KillTest {

    @TempDir
    Path dir;

    private ScriptedServer server;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        if (server != null) {
            server.close();
        }
    }

    private Process startClient(Path file, Path log, boolean untilCaughtUp) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                ClientProcess.class.getName(), server.uri().toString(), file.toString()));
        if (untilCaughtUp) {
            command.add("until-caught-up");
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        processes.add(process);
        return process;
    }

    private static List<Change> rows(String type, int count, int round) {
        List<Change> changes = new ArrayList<>(count);
        Instant now = Instant.parse("2026-01-02T03:04:05Z");
        for (int i = 0; i < count; i++) {
            changes.add(Change.update(type, Integer.toString(i), "{\"id\":" + i + ",\"round\":" + round + "}", now));
        }
        return changes;
    }

    @Test
    @DisplayName("keeps every acknowledged batch, holds no partial batch, and after a restart converges with nothing lost or doubled")
    void killAndRestart() throws Exception {
        server = ScriptedServer.builder().batchMaxChanges(100).partMaxChanges(500).start();
        Workload workload = Workload.standard(31);
        for (int round = 0; round < 4; round++) {
            server.history().appendAll(workload.transactions(100, 25));
            server.history().append(rows("big", 4_000, round)); // multi-part: 8 parts
        }
        Lsn head = server.history().head();
        List<Transaction> transactions = server.history().transactions();
        Lsn killPoint = transactions.get(transactions.size() / 2).lsn();
        Path file = dir.resolve("client.db");
        Path log = dir.resolve("client.log");

        Process first = startClient(file, log, false);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> !server.highestSuccessAck().orElse(Lsn.ZERO).isBefore(killPoint));
        first.destroyForcibly(); // SIGKILL
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Lsn acked = server.highestSuccessAck().orElseThrow();
        assertThat(acked).isLessThan(head);

        try (SyncStore store = sqlite(file)) {
            Lsn committed = store.committedLsn();
            assertThat(committed).as("every acknowledged batch survived the kill").isGreaterThanOrEqualTo(acked);
            assertThat(server.history().isBoundary(committed)).isTrue();
            assertThat(store.committedChecksum()).as("no partial or doubled batch")
                    .isEqualTo(server.history().checksumUpTo(committed));
            assertThat(ExpectedState.of(server.history().changesUpTo(committed)).differencesFrom(store)).isEmpty();
            assertThat(InterruptedApply.detect(committed, store.pendingLsn())).as("the kill is detectable at startup")
                    .isPresent();
        }

        Process second = startClient(file, log, true);
        assertThat(second.waitFor(120, TimeUnit.SECONDS)).as("the restarted client caught up; log:%n%s",
                Files.exists(log) ? Files.readString(log) : "").isTrue();
        assertThat(second.exitValue()).isZero();
        try (SyncStore store = sqlite(file)) {
            assertThat(store.committedLsn()).isEqualTo(head);
            assertThat(store.committedChecksum()).isEqualTo(server.history().checksumUpTo(head));
            assertThat(ExpectedState.of(server.history().changesUpTo(head)).differencesFrom(store)).isEmpty();
        }
        assertThat(server.verifies()).as("the restarted client verified with the server").isNotEmpty();
        try (SyncStore store = sqlite(file)) {
            assertThat(store.pendingLsn()).as("no marker after the restarted client closed cleanly").isEmpty();
        }
        assertThat(server.hellos()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(server.hellos().get(server.hellos().size() - 1).lastLsn()).isGreaterThanOrEqualTo(acked);
        assertThat(server.violations()).isEmpty();
    }
}
