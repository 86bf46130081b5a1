package dev.tidemark.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged demo as a person runs it: its own JVM, stopped with SIGINT (what Ctrl-C sends), started
 * twice on one directory, killed with SIGKILL and started again.
 */
class DemoProcessIT {

    @TempDir
    Path directory;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process process : processes) {
            if (process.isAlive()) {
                signal(process, "TERM");
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        }
    }

    @Test
    @DisplayName("Ctrl-C ends with the row-by-row check, and the settings it wrote serve status, token and check")
    void ctrlCEndsWithTheCheck() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(sigintIgnored(), "SIGINT is ignored by this JVM, so by the demo"
                + " it starts too (a build started in the background by a shell without job control, or under nohup):"
                + " Ctrl-C cannot be tested here; run the build in the foreground");
        Path demoDir = directory.resolve("demo");
        Path log = directory.resolve("demo.log");
        Process demo = startDemo(demoDir, log);
        await().atMost(Duration.ofSeconds(120)).until(() -> read(log).contains("capture:"));
        assertThat(read(log)).contains("?user=postgres").doesNotContain("--client-id my-client");

        Path settings = demoDir.resolve("tidemark.properties");
        assertThat(Files.getPosixFilePermissions(settings)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(runJar("status", "-c", settings.toString())).contains("demo-client-1", "history");
        assertThat(runJar("token", "-c", settings.toString(), "--client-id", "another-client")).contains(".");
        assertThat(runJar("check", "-c", settings.toString())).contains("ready for capture");

        signal(demo, "INT");
        assertThat(demo.waitFor(180, TimeUnit.SECONDS)).as("the demo stopped").isTrue();
        String output = read(log);
        assertThat(output).contains("check: comparing every client with the source", "check: OK");
        assertThat(output).doesNotContain("FATAL", "terminating connection due to administrator command");
        assertThat(demoDir.resolve("postgres").resolve("postmaster.pid")).as("PostgreSQL stopped").doesNotExist();
    }

    @Test
    @DisplayName("a second demo on the same directory refuses at once, naming the first, which runs on; an orphan is cleaned up")
    void secondDemoOnTheSameDirectory() throws Exception {
        Path demoDir = directory.resolve("demo");
        Path firstLog = directory.resolve("first.log");
        Process first = startDemo(demoDir, firstLog);
        await().atMost(Duration.ofSeconds(120)).until(() -> read(firstLog).contains("capture:"));

        Path secondLog = directory.resolve("second.log");
        Process second = startDemo(demoDir, secondLog, "--duration", "5");
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("the second demo ended at once").isTrue();
        assertThat(second.exitValue()).isNotZero();
        assertThat(read(secondLog)).contains("in use by process " + first.pid());

        int progressLines = count(read(firstLog), "capture:");
        await().atMost(Duration.ofSeconds(30)).until(() -> count(read(firstLog), "capture:") >= progressLines + 2);
        assertThat(read(firstLog)).doesNotContain("terminating connection", "FATAL");

        first.destroyForcibly().waitFor(); // SIGKILL: its PostgreSQL is left running, an orphan
        Path thirdLog = directory.resolve("third.log");
        Process third = startDemo(demoDir, thirdLog, "--duration", "3");
        assertThat(third.waitFor(180, TimeUnit.SECONDS)).as("the third demo ended").isTrue();
        assertThat(read(thirdLog)).contains("no longer runs; stopping it", "check: OK");
        assertThat(third.exitValue()).as(read(thirdLog)).isZero();
    }

    private Process startDemo(Path demoDir, Path log, String... more) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar().toString(), "demo", "--dir",
                demoDir.toString(), "--port", "0", "--clients", "2", "--rate", "20", "--catch-up-timeout", "60"));
        command.addAll(List.of(more));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        return process;
    }

    private String runJar(String... args) throws Exception {
        Path out = Files.createTempFile(directory, "run", ".out");
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(read(out)).isZero();
        return read(out);
    }

    private static void signal(Process process, String signal) throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("cannot send SIG" + signal, e);
        }
    }

    private static int count(String text, String what) {
        Matcher matcher = Pattern.compile(Pattern.quote(what)).matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    /** Whether this JVM was started with SIGINT ignored (bit 2 of {@code SigIgn}): its children inherit that. */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        return Files.readAllLines(status).stream().filter(line -> line.startsWith("SigIgn:")).findFirst()
                .map(line -> (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & 0x2L) != 0)
                .orElse(false);
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("tidemark.app.jar"));
        assertThat(jar).exists();
        return jar;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
