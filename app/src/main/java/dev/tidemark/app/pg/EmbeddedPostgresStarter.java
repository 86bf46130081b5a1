package dev.tidemark.app.pg;

import dev.tidemark.server.pg.SourceSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts an embedded PostgreSQL 17 ready for capture: {@code wal_level=logical} (logical decoding),
 * {@code synchronous_commit=on} and {@code fsync=on} (the embedded library turns both off by default,
 * which would let a PostgreSQL crash lose commits already confirmed to the replication slot), enough
 * replication slots
 * and WAL senders, and a data directory that survives restarts.
 *
 * <p>The data directory has an owner: the process that started PostgreSQL in it holds its
 * {@link DataDirectoryLock} until {@link EmbeddedSource#close()}. A second start on the same directory
 * while the owner runs fails at once, naming the owner, and touches nothing. A PostgreSQL left
 * running by an owner that was killed (its lock released by the operating system) is a true orphan:
 * it is stopped first, so a restart after {@code kill -9} works.
 *
 * <p>The embedded library's own shutdown hook is off: the owner stops PostgreSQL itself, last, after
 * everything that uses it (a JVM shutdown hook of the library would stop it while the server still
 * flushes its clients' progress).
 */
public final class EmbeddedPostgresStarter {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresStarter.class);
    private static final Duration ORPHAN_STOP_TIMEOUT = Duration.ofSeconds(30);

    /** The configuration every embedded instance gets; {@code serverConfig} may add to it. */
    public static Map<String, String> defaultServerConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("max_replication_slots", "32");
        config.put("max_wal_senders", "32");
        config.put("max_connections", "200");
        config.put("listen_addresses", "localhost");
        return config;
    }

    /**
     * Starts PostgreSQL in {@code settings.dataDirectory()}, creating the cluster when empty.
     *
     * @throws DataDirectoryInUseException when another running process owns the data directory
     */
    public EmbeddedSource start(EmbeddedPostgresSettings settings) {
        Path dataDirectory = settings.dataDirectory().toAbsolutePath().normalize();
        DataDirectoryLock owner = DataDirectoryLock.acquire(dataDirectory);
        try {
            return start(settings, dataDirectory, owner);
        } catch (RuntimeException e) {
            owner.close();
            throw e;
        }
    }

    private EmbeddedSource start(EmbeddedPostgresSettings settings, Path dataDirectory, DataDirectoryLock owner) {
        try {
            Files.createDirectories(dataDirectory);
            // We own the directory, so a PostgreSQL still running on it lost its owner.
            stopOrphan(dataDirectory);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(60));
            if (settings.port() != 0) {
                builder.setPort(settings.port());
            }
            Map<String, String> config = defaultServerConfig();
            config.putAll(settings.serverConfig());
            config.put("wal_level", "logical");
            config.put("synchronous_commit", "on");
            // The embedded library starts postgres with -F (fsync off); a later -c wins.
            config.put("fsync", "on");
            config.forEach(builder::setServerConfig);
            EmbeddedPostgres postgres = builder.start();
            log.info("embedded PostgreSQL running on port {} with data in {}", postgres.getPort(), dataDirectory);
            return new EmbeddedSource(postgres, dataDirectory, owner);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDirectory
                    + ": check that the directory is writable and not used by another PostgreSQL", e);
        }
    }

    /**
     * A PostgreSQL whose owner was killed (this process holds the owner lock now) keeps running and holds
     * the data directory: stop it
     * (SIGTERM, a smart shutdown: it has no clients left) and wait for it to exit.
     */
    private static void stopOrphan(Path dataDirectory) throws IOException {
        Optional<ProcessHandle> orphan = orphanPostmaster(dataDirectory);
        if (orphan.isEmpty()) {
            return;
        }
        ProcessHandle postmaster = orphan.get();
        log.warn("a PostgreSQL (pid {}) is still running on {}, left by an owner that no longer runs; stopping it",
                postmaster.pid(), dataDirectory);
        postmaster.destroy();
        try {
            postmaster.onExit().get(ORPHAN_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL pid " + postmaster.pid(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("PostgreSQL pid " + postmaster.pid() + " on " + dataDirectory
                    + " did not stop within " + ORPHAN_STOP_TIMEOUT + "; stop it by hand", e);
        }
    }

    private static Optional<ProcessHandle> orphanPostmaster(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> handle.info().command().map(command -> command.endsWith("postgres")).orElse(true));
    }
}
