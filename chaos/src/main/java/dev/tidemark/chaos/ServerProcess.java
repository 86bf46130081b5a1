package dev.tidemark.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;

/** The packaged server ({@code tidemark-app-*-all.jar serve -c FILE}) as its own JVM. */
final class ServerProcess {

    static final String SECRET = "chaos-suite-secret-0123456789abcdefghijklmnop";
    private static final String READY = "tidemark is serving";

    private final ManagedProcess process;
    private final Path config;
    private final Path jar;
    private final int port;
    private final String name;

    ServerProcess(Path jar, Path directory, String jdbcUrl, String slot, int port) {
        this(jar, directory, jdbcUrl, slot, port, List.of());
    }

    ServerProcess(Path jar, Path directory, String jdbcUrl, String slot, int port, List<String> extraSettings) {
        this(jar, directory, "server", jdbcUrl, slot, port, extraSettings);
    }

    /**
     * @param name the node's name: its log is {@code NAME.log} and its settings {@code NAME.properties} ({@code
     *             tidemark.properties} for the first node, {@code server})
     */
    ServerProcess(Path jar, Path directory, String name, String jdbcUrl, String slot, int port, List<String> extraSettings) {
        this.jar = jar;
        this.port = port;
        this.name = name;
        this.config = directory.resolve(name.equals("server") ? "tidemark.properties" : name + ".properties");
        try {
            Files.writeString(config, String.join("\n",
                    "tidemark.source.jdbc-url=" + jdbcUrl,
                    "tidemark.source.user=postgres",
                    "tidemark.capture.tables=" + String.join(",", Writer.TABLES),
                    "tidemark.capture.slot=" + slot,
                    "tidemark.capture.heartbeat-interval=1s",
                    "tidemark.capture.restart-backoff=200ms",
                    "tidemark.capture.restart-backoff-max=2s",
                    "tidemark.http.bind-address=127.0.0.1",
                    "tidemark.http.port=" + port,
                    "tidemark.auth.secret=" + SECRET,
                    String.join("\n", extraSettings), ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.process = new ManagedProcess(name, OsProcesses.jvm("-Xmx384m",
                "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + directory.toAbsolutePath(),
                "-jar", jar.toString(), "serve", "-c", config.toString()), directory.resolve(name + ".log"));
    }

    ManagedProcess process() {
        return process;
    }

    int port() {
        return port;
    }

    String name() {
        return name;
    }

    Path config() {
        return config;
    }

    void startAndAwaitServing() {
        int before = count(process.output());
        process.start();
        try {
            Awaitility.await("the server serving (see " + process.log() + ")").atMost(Duration.ofSeconds(300))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> count(process.output()) > before || !process.isAlive());
        } catch (RuntimeException notServing) {
            process.kill(); // never leave a server behind a failed start
            throw notServing;
        }
        if (!process.isAlive()) {
            throw new IllegalStateException("the server exited at start: see " + process.log());
        }
    }

    /** OutOfMemoryError or a JVM fatal error in its log. */
    boolean crashed() {
        String output = process.output();
        return output.contains("OutOfMemoryError") || output.contains("A fatal error has been detected");
    }

    /** A token for {@code clientId}, minted by the packaged jar's {@code token} command. */
    String token(String clientId, Path directory) {
        Path out = directory.resolve("token-" + clientId + ".txt");
        try {
            Process minting = new ProcessBuilder(OsProcesses.jvm("-jar", jar.toString(), "token", "-c",
                    config.toString(), "--client-id", clientId)).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!minting.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || minting.exitValue() != 0) {
                throw new IllegalStateException("the token command failed for " + clientId);
            }
            return Files.readString(out).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int count(String output) {
        int count = 0;
        for (int at = output.indexOf(READY); at >= 0; at = output.indexOf(READY, at + 1)) {
            count++;
        }
        return count;
    }
}
