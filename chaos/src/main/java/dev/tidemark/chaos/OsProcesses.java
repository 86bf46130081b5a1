package dev.tidemark.chaos;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Signals and short commands, the way an operator's shell would send them. */
final class OsProcesses {

    private OsProcesses() {}

    static void signal(long pid, String signal) {
        run(List.of("kill", "-" + signal, Long.toString(pid)), null);
    }

    /** Runs a command to completion and returns its exit code; output goes to {@code log} when given. */
    static int run(List<String> command, Path log) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (log != null) {
                builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            } else {
                builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            }
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The command that starts a JVM of the system under test with {@code options}. A run starts dozens of JVMs
     * (every kill restarts one) on a machine of two cores, so they start with the quick compiler only and the
     * serial collector: about 40 % less CPU to start (a client's {@code --help}: 0.8 instead of 1.1 CPU seconds),
     * and nothing the suite checks depends on the JIT or the collector.
     */
    static List<String> jvm(String... options) {
        List<String> command = new java.util.ArrayList<>(List.of(java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(List.of(options));
        return command;
    }
}
