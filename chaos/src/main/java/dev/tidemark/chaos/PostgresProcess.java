package dev.tidemark.chaos;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;

/**
 * A PostgreSQL that runs as its own process, started and stopped with {@code pg_ctl} from the embedded binaries,
 * so a fault can stop it in immediate mode (a crash: no checkpoint, WAL replay on the next start) or kill it.
 *
 * <p>The embedded library is used once, to unpack the binaries and create the cluster; it is then stopped and
 * the cluster is run by {@code pg_ctl} with the settings Tidemark needs ({@code wal_level=logical},
 * {@code fsync} and {@code synchronous_commit} on) in {@code postgresql.auto.conf}.
 */
final class PostgresProcess implements AutoCloseable {

    private final Path dataDirectory;
    private final Path binaries;
    private final Path log;
    private final int port;

    private PostgresProcess(Path dataDirectory, Path binaries, Path log, int port) {
        this.dataDirectory = dataDirectory;
        this.binaries = binaries;
        this.log = log;
        this.port = port;
    }

    static PostgresProcess create(Path directory, int port) {
        try {
            Path data = directory.resolve("data").toAbsolutePath();
            Files.createDirectories(data);
            Path binaries;
            try (EmbeddedPostgres initial = EmbeddedPostgres.builder().setDataDirectory(data)
                    .setCleanDataDirectory(false).setPGStartupWait(Duration.ofSeconds(60)).start()) {
                long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
                String command = ProcessHandle.of(pid).flatMap(handle -> handle.info().command())
                        .orElseThrow(() -> new IllegalStateException("cannot find the postgres binary of pid " + pid));
                binaries = Path.of(command).getParent();
            }
            Files.writeString(data.resolve("postgresql.auto.conf"), String.join("\n",
                    "port = " + port,
                    "listen_addresses = 'localhost'",
                    "unix_socket_directories = ''",
                    "wal_level = logical",
                    "fsync = on",
                    "synchronous_commit = on",
                    "max_wal_senders = 64",
                    "max_replication_slots = 64",
                    "max_connections = 300",
                    "shared_buffers = 64MB",
                    // Small enough for the slot-invalidated fault to reach with a few WAL switches, far above
                    // what a run writes while the server is down.
                    "max_slot_wal_keep_size = 32MB",
                    ""));
            PostgresProcess postgres = new PostgresProcess(data, binaries, directory.resolve("postgres.log").toAbsolutePath(), port);
            postgres.start();
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code pg_ctl} refuses to run as root; as root it runs in a new user namespace ({@code unshare -U}), as the
     * embedded library does.
     */
    private List<String> pgCtl(String... args) {
        List<String> command = new java.util.ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(binaries.resolve("pg_ctl").toString());
        command.addAll(List.of(args));
        return command;
    }

    int port() {
        return port;
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }

    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), "postgres", "");
    }

    boolean isRunning() {
        return postmaster().isPresent();
    }

    void start() {
        if (isRunning()) {
            return;
        }
        int code = OsProcesses.run(pgCtl("-D", dataDirectory.toString(),
                "-l", log.toString(), "-w", "-t", "120", "start"), log);
        if (code != 0) {
            throw new IllegalStateException("pg_ctl start failed with " + code + ": see " + log);
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            try (Connection connection = connect("postgres")) {
                return connection.isValid(5);
            }
        });
    }

    /** A crash: {@code pg_ctl stop -m immediate} (no shutdown checkpoint; the next start replays WAL). */
    void stopImmediate() {
        OsProcesses.run(pgCtl("-D", dataDirectory.toString(),
                "-m", "immediate", "-w", "-t", "60", "stop"), log);
    }

    /**
     * Moves the WAL past {@code max_slot_wal_keep_size} (five segment switches) and checkpoints: PostgreSQL then
     * invalidates every slot whose consumer has not confirmed for that long (and ends its walsender).
     */
    void churnWalAndCheckpoint(String database) throws SQLException {
        try (Connection connection = connect(database); java.sql.Statement statement = connection.createStatement()) {
            for (int i = 0; i < 5; i++) {
                statement.execute("SELECT pg_logical_emit_message(false, 'chaos.churn', 'x')");
                statement.execute("SELECT pg_switch_wal()");
            }
            statement.execute("CHECKPOINT");
        }
    }

    Optional<ProcessHandle> postmaster() {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile);
            return lines.isEmpty() ? Optional.empty()
                    : ProcessHandle.of(Long.parseLong(lines.get(0).trim())).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        OsProcesses.run(pgCtl("-D", dataDirectory.toString(),
                "-m", "fast", "-w", "-t", "60", "stop"), log);
    }
}
