package dev.tidemark.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One packaged CLI client ({@code tidemark-client --file F}) syncing into SQLite through its own fault proxy. */
final class ClientProcess implements AutoCloseable {

    private final String id;
    private final Path cliJar;
    private final String token;
    private final FaultProxy proxy;
    private final Path store;
    private final Path directory;
    private final ManagedProcess process;
    private final Sampler sampler;

    ClientProcess(String id, Path cliJar, String token, int serverPort, Path directory) throws IOException {
        this.id = id;
        this.cliJar = cliJar;
        this.token = token;
        this.directory = directory;
        this.proxy = new FaultProxy(serverPort);
        this.store = directory.resolve(id + ".db");
        this.process = new ManagedProcess(id, command(List.of("--progress", "5")), directory.resolve(id + ".log"));
        this.sampler = new Sampler(store);
    }

    private List<String> command(List<String> extra) {
        List<String> command = new ArrayList<>(List.of(OsProcesses.java(), "-Xmx192m", "-jar", cliJar.toString(),
                "--server", "ws://127.0.0.1:" + proxy.port() + "/sync", "--client-id", id, "--token", token,
                "--file", store.toString()));
        command.addAll(extra);
        return command;
    }

    String id() {
        return id;
    }

    FaultProxy proxy() {
        return proxy;
    }

    Path store() {
        return store;
    }

    ManagedProcess process() {
        return process;
    }

    Sampler sampler() {
        return sampler;
    }

    /** Runs {@code --once --verify} after the long-running client stopped; true when it caught up and verified. */
    boolean catchUpAndVerify() throws IOException, InterruptedException {
        Path log = directory.resolve(id + "-verify.log");
        Process once = new ProcessBuilder(command(List.of("--once", "--verify", "--timeout", "PT2M", "--progress", "0")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!once.waitFor(180, TimeUnit.SECONDS)) {
            once.destroyForcibly();
            return false;
        }
        return once.exitValue() == 0 && Files.readString(log).contains("verify: up_to_date");
    }

    @Override
    public void close() throws IOException {
        process.close();
        proxy.close();
    }
}
