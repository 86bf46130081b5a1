package dev.tidemark.chaos;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One seeded run: a fresh database on the shared PostgreSQL, the packaged server, N packaged clients behind fault
 * proxies, the writer, the store samplers and the fault scheduler; then every fault is healed, the clients catch
 * up and verify, and each store is compared with the source.
 */
final class ChaosRun {

    private final ChaosSettings settings;
    private final PostgresProcess postgres;
    private final long seed;
    private final Path directory;
    private final Random random;
    private final String database;
    private final Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
    private final List<String> problems = new ArrayList<>();
    private final Set<Object> heldDown = new HashSet<>();
    /** A hook for planted-fault tests: runs after the clients caught up and stopped, before the comparison. */
    private Consumer<ChaosRun> beforeComparison = run -> { };
    /** A hook for planted-fault tests: runs once the server first serves, before the writer starts. */
    private Consumer<ChaosRun> afterServerStart = run -> { };
    private boolean faultsOn = true;
    private ServerProcess server;
    private final List<ClientProcess> clients = new ArrayList<>();

    ChaosRun(ChaosSettings settings, PostgresProcess postgres, long seed) {
        this.settings = settings;
        this.postgres = postgres;
        this.seed = seed;
        this.directory = settings.out().resolve(Long.toString(seed)).toAbsolutePath();
        this.random = new Random(seed);
        this.database = "chaos_" + Long.toUnsignedString(seed);
    }

    ChaosRun withoutFaults() {
        this.faultsOn = false;
        return this;
    }

    ChaosRun afterServerStart(Consumer<ChaosRun> hook) {
        this.afterServerStart = hook;
        return this;
    }

    ChaosRun beforeComparison(Consumer<ChaosRun> hook) {
        this.beforeComparison = hook;
        return this;
    }

    String database() {
        return database;
    }

    PostgresProcess postgres() {
        return postgres;
    }

    List<ClientProcess> clients() {
        return clients;
    }

    ServerProcess server() {
        return server;
    }

    Path directory() {
        return directory;
    }

    RunResult run() throws Exception {
        long started = System.nanoTime();
        deleteRecursively(directory);
        Files.createDirectories(directory);
        postgres.start();
        try (Connection admin = postgres.connect("postgres"); Statement statement = admin.createStatement()) {
            dropDatabase(statement);
            statement.execute("CREATE DATABASE " + database);
        }
        Writer writer = new Writer(postgres, database, new Random(seed * 31 + 7), settings.ops());
        try (Connection source = postgres.connect(database)) {
            Writer.createSchema(source, settings.ops(), new Random(seed), writer.model());
        }
        server = new ServerProcess(settings.appJar(), directory, postgres.jdbcUrl(database), "chaos_" + Long.toUnsignedString(seed),
                freePort());
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "chaos-" + seed);
            thread.setDaemon(true);
            return thread;
        });
        int notCaughtUp = 0;
        int verifyFailures = 0;
        int lost = 0;
        int duplicated = 0;
        int divergent = 0;
        long changesChecked = 0;
        boolean modelMatches;
        try {
            server.startAndAwaitServing();
            afterServerStart.accept(this);
            writer.openAccounts();
            List<java.util.concurrent.CompletableFuture<String>> tokens = new ArrayList<>();
            for (int i = 1; i <= settings.clients(); i++) {
                String id = "chaos-client-" + i;
                tokens.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> server.token(id, directory)));
            }
            for (int i = 1; i <= settings.clients(); i++) {
                ClientProcess client = new ClientProcess("chaos-client-" + i, settings.cliJar(), tokens.get(i - 1).join(),
                        server.port(), directory);
                clients.add(client);
                client.process().start();
            }
            scheduler.scheduleWithFixedDelay(this::sampleAll, 100, 250, TimeUnit.MILLISECONDS);
            scheduler.scheduleWithFixedDelay(this::watchdog, 1000, 500, TimeUnit.MILLISECONDS);
            if (faultsOn) {
                scheduleNextFault(scheduler);
            }
            long deadline = System.nanoTime() + settings.runDuration().toNanos();
            while (System.nanoTime() < deadline) {
                writer.step();
                TimeUnit.MILLISECONDS.sleep(15); // the writer's pace
            }
            synchronized (this) {
                faultsOn = false;
            }
            healAll();
            writer.finish();
            writer.close();
            modelMatches = modelMatchesSource(writer.model());
            long target = currentWal();
            Set<ClientProcess> behind = new HashSet<>();
            for (ClientProcess client : clients) {
                if (!awaitCaughtUp(client, target)) {
                    behind.add(client);
                    notCaughtUp++;
                    problems.add(client.id() + " did not reach " + target + " (at " + StoreReader.committedLsn(client.store())
                            + "): see " + client.process().log());
                }
            }
            scheduler.shutdownNow();
            scheduler.awaitTermination(30, TimeUnit.SECONDS);
            sampleAll();
            List<java.util.concurrent.CompletableFuture<Boolean>> verified = new ArrayList<>();
            for (ClientProcess client : clients) {
                client.process().terminate();
                verified.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return client.catchUpAndVerify();
                    } catch (IOException e) {
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }));
            }
            for (int i = 0; i < clients.size(); i++) {
                if (!verified.get(i).join()) {
                    verifyFailures++;
                    problems.add(clients.get(i).id() + ": --once --verify did not end up_to_date: see "
                            + clients.get(i).id() + "-verify.log");
                }
            }
            beforeComparison.accept(this);
            try (Connection source = postgres.connect(database)) {
                for (ClientProcess client : clients) {
                    if (behind.contains(client)) {
                        // Its rows are compared only once it caught up: a client that never did counts as not
                        // caught up, not as thousands of lost rows.
                        continue;
                    }
                    Comparison.Counts counts = Comparison.compare(source, client.store(), Writer.TABLES);
                    lost += counts.lost();
                    duplicated += counts.duplicated();
                    divergent += counts.divergent();
                    changesChecked += writer.model().rowChanges;
                    counts.differences().forEach(difference -> problems.add(client.id() + ": " + difference));
                }
            }
        } finally {
            scheduler.shutdownNow();
            for (ClientProcess client : clients) {
                client.close();
            }
            server.process().terminate();
            server.process().close();
        }
        int outOfOrder = 0;
        int invariantBreaks = 0;
        int samples = 0;
        for (ClientProcess client : clients) {
            outOfOrder += client.sampler().outOfOrder();
            invariantBreaks += client.sampler().invariantBreaks();
            samples += client.sampler().samples();
            client.sampler().problems().forEach(problem -> problems.add(client.id() + ": " + problem));
            if (client.process().unexpectedExits() > 0) {
                problems.add(client.id() + " exited " + client.process().unexpectedExits() + " time(s) on its own");
            }
        }
        int crashes = server.crashed() ? 1 : 0;
        RunResult result = new RunResult(seed, directory, faults, changesChecked, lost, duplicated, divergent, outOfOrder,
                invariantBreaks, samples, crashes, server.process().unexpectedExits(), notCaughtUp, verifyFailures,
                modelMatches, problems, (System.nanoTime() - started) / 1_000_000);
        Files.writeString(directory.resolve("result.txt"), result.line() + "\n" + String.join("\n", problems) + "\n");
        if (result.passed()) {
            cleanUp();
        }
        return result;
    }

    private void sampleAll() {
        for (ClientProcess client : clients) {
            client.sampler().sample();
        }
    }

    /** Restarts whatever is down that no fault holds down (a server that exited on its own is counted). */
    private synchronized void watchdog() {
        try {
            if (!heldDown.contains(postgres)) {
                postgres.start();
            }
            if (!heldDown.contains(server)) {
                server.process().ensureRunning();
            }
            for (ClientProcess client : clients) {
                if (!heldDown.contains(client)) {
                    client.process().ensureRunning();
                }
            }
        } catch (RuntimeException e) {
            note("watchdog: " + e);
        }
    }

    private void scheduleNextFault(ScheduledExecutorService scheduler) {
        long every = settings.faultEvery().toMillis();
        long delay = every / 2 + (long) (random.nextDouble() * every);
        scheduler.schedule(() -> {
            synchronized (this) {
                if (!faultsOn) {
                    return;
                }
                try {
                    inject(scheduler);
                } catch (RuntimeException e) {
                    note("fault: " + e);
                }
            }
            scheduleNextFault(scheduler);
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void inject(ScheduledExecutorService scheduler) {
        Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
        ClientProcess client = clients.get(random.nextInt(clients.size()));
        long hold = 500 + random.nextInt(3000);
        switch (fault) {
            case CLIENT_KILL -> holdDown(scheduler, client, hold, () -> client.process().kill(), () -> client.process().ensureRunning());
            case SERVER_KILL -> holdDown(scheduler, server, hold, () -> server.process().kill(), () -> server.process().ensureRunning());
            case POSTGRES_IMMEDIATE_STOP -> holdDown(scheduler, postgres, hold, postgres::stopImmediate, postgres::start);
            case PROXY_RESET -> client.proxy().resetAll();
            case PROXY_BLACK_HOLE -> later(scheduler, hold, () -> client.proxy().blackHole(true), () -> client.proxy().blackHole(false));
            case PROXY_DELAY -> later(scheduler, hold, () -> client.proxy().delay(20 + random.nextInt(200)), () -> client.proxy().delay(0));
            case PROXY_CUT_MID_FRAME -> client.proxy().cutNextServerChunk();
            case CLIENT_PAUSE -> holdDown(scheduler, client, hold, () -> client.process().pause(), () -> client.process().resume());
            case SERVER_PAUSE -> holdDown(scheduler, server, hold, () -> server.process().pause(), () -> server.process().resume());
            default -> throw new IllegalStateException("unknown fault " + fault);
        }
        faults.merge(fault, 1, Integer::sum);
        log(fault + " " + (fault.name().startsWith("CLIENT") || fault.name().startsWith("PROXY") ? client.id() : "")
                + " for " + hold + " ms");
    }

    private void holdDown(ScheduledExecutorService scheduler, Object target, long millis, Runnable fault, Runnable heal) {
        if (heldDown.contains(target)) {
            return;
        }
        heldDown.add(target);
        fault.run();
        scheduler.schedule(() -> {
            synchronized (this) {
                try {
                    heal.run();
                } finally {
                    heldDown.remove(target);
                }
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    private static void later(ScheduledExecutorService scheduler, long millis, Runnable fault, Runnable heal) {
        fault.run();
        scheduler.schedule(heal, millis, TimeUnit.MILLISECONDS);
    }

    private synchronized void healAll() {
        heldDown.clear();
        postgres.start();
        server.process().ensureRunning();
        for (ClientProcess client : clients) {
            client.proxy().heal();
            client.process().ensureRunning();
        }
    }

    private void log(String line) {
        try {
            Files.writeString(directory.resolve("faults.log"), java.time.Instant.now() + " " + line + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // The log is a convenience.
        }
    }

    private synchronized void note(String problem) {
        log("note: " + problem);
    }

    private boolean awaitCaughtUp(ClientProcess client, long target) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            if (Long.compareUnsigned(StoreReader.committedLsn(client.store()), target) >= 0) {
                return true;
            }
            watchdog();
            TimeUnit.MILLISECONDS.sleep(250); // polling a file another process writes
        }
        return false;
    }

    private long currentWal() throws SQLException {
        try (Connection source = postgres.connect(database); Statement statement = source.createStatement();
             ResultSet row = statement.executeQuery("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")) {
            row.next();
            return row.getLong(1);
        }
    }

    private boolean modelMatchesSource(SourceModel model) throws SQLException {
        try (Connection source = postgres.connect(database)) {
            Map<String, com.fasterxml.jackson.databind.JsonNode> items = Comparison.sourceRows(source, "items");
            Map<String, com.fasterxml.jackson.databind.JsonNode> accounts = Comparison.sourceRows(source, "accounts");
            Map<String, com.fasterxml.jackson.databind.JsonNode> events = Comparison.sourceRows(source, "events");
            boolean matches = items.size() == model.items.size() && accounts.size() == model.accounts.size()
                    && events.size() == model.events.size();
            for (Map.Entry<Long, SourceModel.Item> item : model.items.entrySet()) {
                var row = items.get(Long.toString(item.getKey()));
                matches &= row != null && row.get("version").asLong() == item.getValue().version()
                        && row.get("note").asText().equals(item.getValue().note())
                        && row.get("big").asText().equals(item.getValue().big());
            }
            for (Map.Entry<Integer, Long> account : model.accounts.entrySet()) {
                var row = accounts.get(Integer.toString(account.getKey()));
                matches &= row != null && row.get("balance").asLong() == account.getValue();
            }
            for (Map.Entry<Long, Integer> event : model.events.entrySet()) {
                var row = events.get(Long.toString(event.getKey()));
                matches &= row != null && row.get("batch").asInt() == event.getValue()
                        && row.get("payload").asText().equals("payload-" + event.getKey());
            }
            if (!matches) {
                problems.add("the source differs from the writer's model: the harness, not Tidemark, is wrong");
            }
            return matches;
        }
    }

    private void dropDatabase(Statement statement) throws SQLException {
        statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '"
                + database + "' AND NOT active");
        statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    /** A passed run leaves its result line and logs; its stores and database go (a failed run keeps them). */
    private void cleanUp() throws IOException, SQLException {
        for (ClientProcess client : clients) {
            Files.deleteIfExists(client.store());
            Files.deleteIfExists(Path.of(client.store() + "-wal"));
            Files.deleteIfExists(Path.of(client.store() + "-shm"));
        }
        try (Connection admin = postgres.connect("postgres"); Statement statement = admin.createStatement()) {
            dropDatabase(statement);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path each : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(each);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
