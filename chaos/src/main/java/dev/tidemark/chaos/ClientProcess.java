package dev.tidemark.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One client process syncing through its own fault proxy: the packaged CLI ({@code tidemark-client}) or an
 * application embedding the library ({@link LibraryClient}), into SQLite or PostgreSQL ({@link ClientKind}).
 */
final class ClientProcess implements AutoCloseable {

    static final long FULL_DISK_BYTES = 4096;

    private final String id;
    private final ClientKind kind;
    private final Path cliJar;
    private final String token;
    private final FaultProxy proxy;
    private final ClientStore store;
    private final Path directory;
    private final ManagedProcess process;
    private final Sampler sampler;

    /** A CLI client into a SQLite file {@code DIRECTORY/ID.db}. */
    ClientProcess(String id, Path cliJar, String token, int serverPort, Path directory) throws IOException {
        this(id, ClientKind.CLI_SQLITE, new ClientStore.Sqlite(directory.resolve(id + ".db")), cliJar, token,
                serverPort, directory);
    }

    ClientProcess(String id, ClientKind kind, ClientStore store, Path cliJar, String token, int serverPort,
                  Path directory) throws IOException {
        this(id, kind, store, cliJar, token, new FaultProxy(serverPort), directory);
    }

    /** A client whose proxy balances over several server nodes. */
    ClientProcess(String id, ClientKind kind, ClientStore store, Path cliJar, String token, FaultProxy proxy,
                  Path directory) {
        this.id = id;
        this.kind = kind;
        this.cliJar = cliJar;
        this.token = token;
        this.directory = directory;
        this.proxy = proxy;
        this.store = store;
        this.process = new ManagedProcess(id, kind.library() ? libraryCommand() : cliCommand(List.of("--progress", "5")),
                directory.resolve(id + ".log"));
        this.sampler = new Sampler(store);
    }

    private String serverUrl() {
        return "ws://127.0.0.1:" + proxy.port() + "/sync";
    }

    private List<String> cliCommand(List<String> extra) {
        List<String> command = new ArrayList<>(OsProcesses.jvm("-Xmx192m", "-jar", cliJar.toString(),
                "--server", serverUrl(), "--client-id", id, "--token", token));
        command.addAll(store.cliArguments());
        command.addAll(extra);
        return command;
    }

    private List<String> libraryCommand() {
        String classes;
        try {
            classes = Path.of(LibraryClient.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> command = new ArrayList<>(OsProcesses.jvm("-Xmx192m", "-cp",
                cliJar + java.io.File.pathSeparator + classes, LibraryClient.class.getName(),
                "--server", serverUrl(), "--client-id", id, "--token", token, "--store", store.name()));
        store.settings().forEach((key, value) -> command.addAll(List.of("-S", key + "=" + value)));
        return command;
    }

    String id() {
        return id;
    }

    ClientKind kind() {
        return kind;
    }

    FaultProxy proxy() {
        return proxy;
    }

    ClientStore store() {
        return store;
    }

    ManagedProcess process() {
        return process;
    }

    Sampler sampler() {
        return sampler;
    }

    /** Restarts the client with its wall clock {@code hours} off: {@link ManagedProcess#restartWithSkewedClock}. */
    boolean restartWithSkewedClock(int hours) {
        return process.restartWithSkewedClock(hours);
    }

    /**
     * A full disk for the running client: a file-size limit ({@code RLIMIT_FSIZE} through {@code prlimit}, soft
     * limit only, so it can be lifted) of {@value #FULL_DISK_BYTES} bytes. Linux refuses every write that reaches
     * past the limit ({@code EFBIG}; the JVM ignores {@code SIGXFSZ}), so the store's WAL appends and page writes
     * fail as they would on a disk with no space. (The store's current size would not do: SQLite reuses its WAL
     * from the start after each checkpoint and rarely writes past the database's size.) False when it is not
     * running, has no store file yet, or is not a SQLite client.
     */
    boolean fillDisk() {
        if (!(store instanceof ClientStore.Sqlite sqlite) || process.pid().isEmpty() || !Files.exists(sqlite.file())) {
            return false;
        }
        return prlimit(FULL_DISK_BYTES + ":") == 0;
    }

    /** Lifts {@link #fillDisk()} (a restarted process never had it). */
    void freeDisk() {
        prlimit("unlimited:");
    }

    private int prlimit(String limit) {
        var pid = process.pid();
        if (pid.isEmpty()) {
            return -1;
        }
        return OsProcesses.run(List.of("prlimit", "--pid", Long.toString(pid.getAsLong()), "--fsize=" + limit), null);
    }

    /**
     * Runs the CLI's {@code --once --verify} on the store after the client stopped; true when it caught up and the
     * server agreed with its position and checksum: {@code up_to_date}, or {@code changes_follow} (the same check
     * passed, and the server's heartbeat moved past the client between its catching up and its verify).
     */
    boolean catchUpAndVerify() throws IOException, InterruptedException {
        Path log = directory.resolve(id + "-verify.log");
        if (verified(log)) {
            return true;
        }
        // A killed client keeps its pending marker, so this run first verified the interrupted apply: that used
        // the client's one sync_verify per interval and the server refused the second (its rate limit, not a
        // failure). Once more, now without a marker.
        return Files.readString(log).contains("too many sync_verify requests")
                && verified(directory.resolve(id + "-verify-again.log"));
    }

    private boolean verified(Path log) throws IOException, InterruptedException {
        if (!once(List.of("--once", "--verify", "--timeout", "PT2M", "--progress", "0"), log)) {
            return false;
        }
        String output = Files.readString(log);
        return output.contains("verify: up_to_date") || output.contains("verify: changes_follow");
    }

    /** Runs the CLI's {@code --once} (no verify) on the store after the client stopped; true when it caught up. */
    boolean catchUp() throws IOException, InterruptedException {
        return once(List.of("--once", "--timeout", "PT2M", "--progress", "0"), directory.resolve(id + "-once.log"));
    }

    private boolean once(List<String> options, Path log) throws IOException, InterruptedException {
        Process once = new ProcessBuilder(cliCommand(options)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!once.waitFor(180, TimeUnit.SECONDS)) {
            once.destroyForcibly();
            return false;
        }
        return once.exitValue() == 0;
    }

    @Override
    public void close() throws IOException {
        process.close();
        proxy.close();
    }
}
