package dev.tidemark.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One JVM the runner starts, kills ({@code SIGKILL}), pauses ({@code SIGSTOP}/{@code SIGCONT}) and restarts, with
 * its output appended to one log across restarts. It remembers whether an exit was the runner's doing, so an exit
 * nobody asked for is seen.
 */
final class ManagedProcess implements AutoCloseable {

    private final String name;
    private final List<String> command;
    private final Path log;
    private Process process;
    /** Extra environment for the next starts (a skewed clock); empty for none. */
    private java.util.Map<String, String> environment = java.util.Map.of();
    private boolean paused;
    private boolean stopping;
    private int unexpectedExits;

    ManagedProcess(String name, List<String> command, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.log = log;
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    synchronized void start() {
        try {
            Files.writeString(log, "=== start " + java.time.Instant.now() + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            // Through a pipe, not straight into the file: a file-size limit on the process (the disk-full fault)
            // must stop its store from growing, not its log.
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            process = builder.start();
            Process started = process;
            Thread pump = new Thread(() -> copyToLog(started), name + "-log");
            pump.setDaemon(true);
            pump.start();
            paused = false;
            stopping = false;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    /** Environment variables for every later start (replacing earlier ones); empty to start plainly again. */
    synchronized void environment(java.util.Map<String, String> variables) {
        environment = java.util.Map.copyOf(variables);
    }

    /** libfaketime, from the Debian package {@code faketime} ({@code .ci/run} installs it). */
    static final Path FAKETIME_LIBRARY = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1");

    /**
     * Restarts the process ({@code kill -9}, then at once) with its wall clock {@code hours} off (negative: behind),
     * through libfaketime ({@code LD_PRELOAD}; the MT variant: the plain one hangs a JVM at start); the monotonic
     * clock stays true, as on a machine whose time was set wrong. The skew lasts until the process is next
     * restarted. False when libfaketime is not installed.
     */
    synchronized boolean restartWithSkewedClock(int hours) {
        if (!Files.exists(FAKETIME_LIBRARY)) {
            return false;
        }
        environment(java.util.Map.of("LD_PRELOAD", FAKETIME_LIBRARY.toString(),
                "FAKETIME", (hours >= 0 ? "+" : "") + hours + "h", "FAKETIME_DONT_FAKE_MONOTONIC", "1"));
        try {
            kill();
            ensureRunning();
        } finally {
            environment(java.util.Map.of()); // its next restart runs on the true clock
        }
        return true;
    }

    private void copyToLog(Process from) {
        try (var in = from.getInputStream();
             var out = Files.newOutputStream(log, java.nio.file.StandardOpenOption.CREATE,
                     java.nio.file.StandardOpenOption.APPEND)) {
            byte[] buffer = new byte[8192];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException ignored) {
            // The process is gone; its log ends here.
        }
    }

    /** The running process's id; empty when it is not running. */
    synchronized java.util.OptionalLong pid() {
        return isAlive() ? java.util.OptionalLong.of(process.pid()) : java.util.OptionalLong.empty();
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    synchronized void kill() {
        if (process != null && process.isAlive()) {
            stopping = true;
            if (paused) {
                OsProcesses.signal(process.pid(), "CONT");
            }
            process.destroyForcibly();
            waitFor();
        }
        paused = false;
    }

    synchronized void pause() {
        if (process != null && process.isAlive() && !paused) {
            OsProcesses.signal(process.pid(), "STOP");
            paused = true;
        }
    }

    synchronized void resume() {
        if (process != null && paused) {
            OsProcesses.signal(process.pid(), "CONT");
            paused = false;
        }
    }

    /** Restarts it when it is not running; an exit the runner did not cause is counted. */
    synchronized boolean ensureRunning() {
        resume();
        if (isAlive()) {
            return false;
        }
        if (process != null && !stopping) {
            unexpectedExits++;
        }
        start();
        return true;
    }

    synchronized int unexpectedExits() {
        return unexpectedExits;
    }

    /** SIGTERM and wait: the graceful stop a service manager does. */
    synchronized void terminate() {
        if (process != null && process.isAlive()) {
            stopping = true;
            resume();
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            waitFor();
        }
    }

    private void waitFor() {
        try {
            process.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (process != null) {
            resume();
            process.destroyForcibly();
            waitFor();
        }
    }
}
