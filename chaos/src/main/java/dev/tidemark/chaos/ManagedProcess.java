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
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            paused = false;
            stopping = false;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
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
