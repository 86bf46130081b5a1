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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One seeded run: a fresh database on the shared PostgreSQL, the packaged server (one or several nodes on one
 * change log: one leads capture, the others stand by and serve), N packaged clients behind fault proxies (each
 * proxy is also the client's load balancer over the nodes), the writer, the store samplers and the fault scheduler; then every fault is healed, the clients catch
 * up and verify, and each store is compared with the source.
 */
final class ChaosRun {

    /** How long the server may take to come back and capture up to the source (JVMs start slowly on a loaded machine). */
    private static final Duration HISTORY_WAIT = Duration.ofSeconds(600);

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
    /** Slot faults that took effect: each must start a new history that every client resyncs onto. */
    private int slotFaults;
    private String firstHistory;
    /** The server nodes; the first is {@link #server()}. */
    private final List<ServerProcess> servers = new ArrayList<>();
    /** The one key under which slot faults hold every node down at once. */
    private final Object allNodes = new Object();
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

    /** The database holding the PostgreSQL clients' stores (one schema each). */
    String storeDatabase() {
        return database + "_stores";
    }

    String slot() {
        return "chaos_" + Long.toUnsignedString(seed);
    }

    PostgresProcess postgres() {
        return postgres;
    }

    List<ClientProcess> clients() {
        return clients;
    }

    /** The first server node (the only one with {@code chaos.nodes=1}). */
    ServerProcess server() {
        return servers.get(0);
    }

    List<ServerProcess> servers() {
        return servers;
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
            statement.execute("CREATE DATABASE " + storeDatabase());
        }
        Writer writer = new Writer(postgres, database, new Random(seed * 31 + 7), settings.ops());
        try (Connection source = postgres.connect(database)) {
            Writer.createSchema(source, settings.ops(), new Random(seed), writer.model());
        }
        for (int node = 1; node <= settings.nodes(); node++) {
            servers.add(new ServerProcess(settings.appJar(), directory, node == 1 ? "server" : "server-" + node,
                    postgres.jdbcUrl(database), slot(), freePort(), List.of()));
        }
        ServerProcess server = server();
        List<Integer> ports = servers.stream().map(ServerProcess::port).toList();
        // Tokens, servers' starts and the final verifies each start a JVM: in parallel, a run spends less of its
        // time waiting for JVMs (the common pool has one thread on two cores).
        ExecutorService helpers = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "chaos-helper-" + seed);
            thread.setDaemon(true);
            return thread;
        });
        List<java.util.concurrent.CompletableFuture<String>> tokens = new ArrayList<>();
        for (int i = 1; i <= settings.clients(); i++) {
            String id = "chaos-client-" + i;
            tokens.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> server.token(id, directory), helpers));
        }
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "chaos-" + seed);
            thread.setDaemon(true);
            return thread;
        });
        ScheduledExecutorService samplers = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "chaos-samplers-" + seed);
            thread.setDaemon(true);
            return thread;
        });
        int notCaughtUp = 0;
        int verifyFailures = 0;
        int lost = 0;
        int duplicated = 0;
        int divergent = 0;
        long changesChecked = 0;
        int historyProblems = 0;
        boolean modelMatches;
        try {
            // Every node before the first watchdog pass (awaitHistory runs it): it would start a node not yet started.
            for (ServerProcess node : servers) {
                node.startAndAwaitServing();
            }
            firstHistory = awaitHistory(0);
            afterServerStart.accept(this);
            writer.openAccounts();
            for (int i = 1; i <= settings.clients(); i++) {
                String id = "chaos-client-" + i;
                ClientKind kind = ClientKind.of(i);
                ClientStore store = kind.postgres() ? new ClientStore.Postgres(postgres, storeDatabase(), "store_" + i)
                        : new ClientStore.Sqlite(directory.resolve(id + ".db"));
                ClientProcess client = new ClientProcess(id, kind, store, settings.cliJar(), tokens.get(i - 1).join(),
                        new FaultProxy(ports, i - 1), directory);
                clients.add(client);
                client.process().start();
            }
            // Its own thread: a fault or the watchdog can hold the scheduler for seconds (pg_ctl, a slot drop).
            samplers.scheduleWithFixedDelay(this::sampleAll, 100, 250, TimeUnit.MILLISECONDS);
            scheduler.scheduleWithFixedDelay(this::watchdog, 1000, 500, TimeUnit.MILLISECONDS);
            if (faultsOn) {
                scheduleNextFault(scheduler);
            }
            // The writer starts now (so clients bootstrap under writes) and goes on for the run's duration after
            // every client first synced something: a slow machine starts JVMs slowly, and a run whose writes all
            // end before its clients connect would test little but their snapshots.
            long waitLimit = System.nanoTime() + Duration.ofSeconds(240).toNanos();
            Long deadline = null;
            while (deadline == null || System.nanoTime() - deadline < 0) {
                writer.step();
                TimeUnit.MILLISECONDS.sleep(15); // the writer's pace
                if (deadline == null && (allSynced() || System.nanoTime() - waitLimit > 0)) {
                    deadline = System.nanoTime() + settings.runDuration().toNanos();
                    log("every client synced (or 240 s passed): writing for " + settings.runDuration().toSeconds() + " s more");
                }
            }
            synchronized (this) {
                faultsOn = false;
            }
            healAll();
            writer.finish();
            writer.close();
            modelMatches = modelMatchesSource(writer.model());
            long target = currentWal();
            String finalHistory;
            try {
                finalHistory = awaitHistory(target);
            } catch (org.awaitility.core.ConditionTimeoutException captureBehind) {
                // The run fails with its seed and logs kept, rather than the suite stopping.
                finalHistory = "(capture never reached " + target + ")";
                problems.add("the server's capture did not reach the source's WAL position " + target + " within "
                        + HISTORY_WAIT.toSeconds() + " s after the faults: see " + logs());
            }
            if (slotFaults > 0 && finalHistory.equals(firstHistory)) {
                historyProblems++;
                problems.add("the slot was lost " + slotFaults + " time(s) but the server kept history " + firstHistory
                        + ": changes made without a slot can be missing with nobody told to resync");
            }
            Set<ClientProcess> behind = new HashSet<>();
            for (ClientProcess client : clients) {
                if (!awaitCaughtUp(client, target, finalHistory)) {
                    behind.add(client);
                    notCaughtUp++;
                    var at = client.store().sample();
                    problems.add(client.id() + " did not reach " + target + " in history " + finalHistory + " (at "
                            + at.map(StoreReader.Sample::committedLsn).orElse(0L) + " in history "
                            + at.map(StoreReader.Sample::historyId).orElse(null) + "): see " + client.process().log());
                    if (at.isPresent() && !finalHistory.equals(at.get().historyId())) {
                        historyProblems++;
                    }
                }
            }
            scheduler.shutdownNow();
            scheduler.awaitTermination(30, TimeUnit.SECONDS);
            samplers.shutdownNow();
            samplers.awaitTermination(30, TimeUnit.SECONDS);
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
                }, helpers));
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
            samplers.shutdownNow();
            helpers.shutdownNow();
            for (ClientProcess client : clients) {
                client.close();
            }
            for (ServerProcess node : servers) {
                node.process().terminate();
                node.process().close();
            }
        }
        int outOfOrder = 0;
        int invariantBreaks = 0;
        int samples = 0;
        for (ClientProcess client : clients) {
            log("samples of " + client.id() + " (" + client.kind() + "): " + client.sampler().summary());
            outOfOrder += client.sampler().outOfOrder();
            invariantBreaks += client.sampler().invariantBreaks();
            samples += client.sampler().samples();
            client.sampler().problems().forEach(problem -> problems.add(client.id() + ": " + problem));
            if (client.process().unexpectedExits() > 0) {
                problems.add(client.id() + " exited " + client.process().unexpectedExits() + " time(s) on its own");
            }
        }
        int crashes = (int) servers.stream().filter(ServerProcess::crashed).count();
        int serverExits = servers.stream().mapToInt(node -> node.process().unexpectedExits()).sum();
        RunResult result = new RunResult(seed, directory, faults, changesChecked, lost, duplicated, divergent, outOfOrder,
                invariantBreaks, samples, crashes, serverExits, notCaughtUp, verifyFailures,
                historyProblems, modelMatches, problems, (System.nanoTime() - started) / 1_000_000);
        Files.writeString(directory.resolve("result.txt"), result.line() + "\n" + String.join("\n", problems) + "\n");
        if (result.passed()) {
            cleanUp();
        }
        return result;
    }

    private boolean allSynced() {
        // Synced once is enough: a resync (after a slot fault) empties a store again for a while.
        return clients.stream().allMatch(client -> client.sampler().samples() > 0);
    }

    private void sampleAll() {
        for (ClientProcess client : clients) {
            try {
                client.sampler().sample();
            } catch (RuntimeException | Error e) {
                note("sampler of " + client.id() + ": " + e); // a periodic task that throws is never run again
            }
        }
    }

    /** Restarts whatever is down that no fault holds down (a server that exited on its own is counted). */
    private synchronized void watchdog() {
        try {
            if (!heldDown.contains(postgres)) {
                postgres.start();
            }
            if (!heldDown.contains(allNodes)) {
                for (ServerProcess node : servers) {
                    if (!heldDown.contains(node)) {
                        node.process().ensureRunning();
                    }
                }
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
        Fault fault = Fault.pick(settings.faults(), random);
        ClientProcess client = clients.get(random.nextInt(clients.size()));
        long hold = 500 + random.nextInt(3000);
        if (fault == Fault.CLIENT_DISK_FULL && !(client.store() instanceof ClientStore.Sqlite)) {
            // The file-size limit stops a process's own files: only a SQLite client's store is in its process.
            client = clients.get(0);
        }
        ClientProcess target = client;
        ServerProcess node = fault == Fault.LEADER_KILL ? leader() : servers.get(random.nextInt(servers.size()));
        boolean nodesFree = !heldDown.contains(allNodes);
        boolean injected = switch (fault) {
            case CLIENT_KILL -> holdDown(scheduler, client, hold, () -> target.process().kill(), () -> target.process().ensureRunning());
            case SERVER_KILL, LEADER_KILL -> nodesFree && holdDown(scheduler, node, hold, () -> node.process().kill(),
                    () -> node.process().ensureRunning());
            case POSTGRES_IMMEDIATE_STOP -> holdDown(scheduler, postgres, hold, postgres::stopImmediate, postgres::start);
            case PROXY_RESET -> {
                client.proxy().resetAll();
                yield true;
            }
            case PROXY_BLACK_HOLE -> later(scheduler, hold, () -> target.proxy().blackHole(true), () -> target.proxy().blackHole(false));
            case PROXY_DELAY -> later(scheduler, hold, () -> target.proxy().delay(20 + random.nextInt(200)), () -> target.proxy().delay(0));
            case PROXY_CUT_MID_FRAME -> {
                client.proxy().cutNextServerChunk();
                yield true;
            }
            case CLIENT_PAUSE -> holdDown(scheduler, client, hold, () -> target.process().pause(), () -> target.process().resume());
            case SERVER_PAUSE -> nodesFree && holdDown(scheduler, node, hold, () -> node.process().pause(),
                    () -> node.process().resume());
            case CLIENT_DISK_FULL -> !heldDown.contains(client) && holdDown(scheduler, client, 2 * hold, () -> {
                if (!target.fillDisk()) {
                    throw new IllegalStateException("could not limit " + target.id() + "'s file size (not running"
                            + " or no store yet)");
                }
            }, () -> {
                target.freeDisk();
                target.process().ensureRunning();
            });
            // Every node at once: a standby would take the lease (and the slot) the moment the leader went.
            case CLIENT_CLOCK_SKEW -> {
                int hours = (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(72));
                boolean skewed = !heldDown.contains(client) && target.restartWithSkewedClock(hours);
                if (skewed) {
                    log("clock of " + client.id() + " set " + hours + " h off");
                } else if (!java.nio.file.Files.exists(ManagedProcess.FAKETIME_LIBRARY)) {
                    note("client-clock-skew skipped: libfaketime is not installed (Debian package faketime)");
                }
                yield skewed;
            }
            case SERVER_CLOCK_SKEW -> {
                int hours = (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(72));
                boolean skewed = nodesFree && !heldDown.contains(node) && node.process().restartWithSkewedClock(hours);
                if (skewed) {
                    log("clock of " + node.name() + " set " + hours + " h off");
                } else if (!java.nio.file.Files.exists(ManagedProcess.FAKETIME_LIBRARY)) {
                    note("server-clock-skew skipped: libfaketime is not installed (Debian package faketime)");
                }
                yield skewed;
            }
            case SLOT_DROPPED -> !heldDown.contains(postgres) && noNodeHeld() && holdDown(scheduler, allNodes, hold, () -> {
                servers.forEach(each -> each.process().kill());
                dropSlot();
            }, () -> servers.forEach(each -> each.process().ensureRunning()));
            case SLOT_INVALIDATED -> !heldDown.contains(postgres) && noNodeHeld() && holdDown(scheduler, allNodes, hold, () -> {
                servers.forEach(each -> each.process().pause());
                invalidateSlot();
            }, () -> servers.forEach(each -> each.process().resume()));
        };
        if (!injected) {
            return;
        }
        if (fault == Fault.SLOT_DROPPED || fault == Fault.SLOT_INVALIDATED) {
            slotFaults++;
        }
        faults.merge(fault, 1, Integer::sum);
        log(fault + " " + (fault.name().startsWith("CLIENT") || fault.name().startsWith("PROXY") ? client.id()
                : fault == Fault.SERVER_KILL || fault == Fault.SERVER_PAUSE || fault == Fault.LEADER_KILL
                        || fault == Fault.SERVER_CLOCK_SKEW ? node.name() : "")
                + " for " + hold + " ms");
    }

    private boolean noNodeHeld() {
        return servers.stream().noneMatch(heldDown::contains);
    }

    /**
     * The node that leads capture: the one whose process id the change log's recorded leader names ({@code
     * tidemark capture slot S on HOST pid PID.N}); a random node when none is recorded or its process is gone.
     */
    private ServerProcess leader() {
        try (Connection connection = postgres.connect(database); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT node FROM tidemark.capture_leader")) {
            if (row.next() && row.getString(1) != null) {
                java.util.regex.Matcher pid = java.util.regex.Pattern.compile(" pid (\\d+)").matcher(row.getString(1));
                if (pid.find()) {
                    long leaderPid = Long.parseLong(pid.group(1));
                    for (ServerProcess node : servers) {
                        if (node.process().pid().isPresent() && node.process().pid().getAsLong() == leaderPid) {
                            return node;
                        }
                    }
                }
            }
        } catch (SQLException e) {
            note("leader: " + e.getMessage());
        }
        return servers.get(random.nextInt(servers.size()));
    }

    private String logs() {
        return servers.stream().map(node -> node.process().log().toString()).collect(java.util.stream.Collectors.joining(", "));
    }

    /** Drops the run's slot once no walsender holds it (the server was just killed; its walsender ends soon). */
    private void dropSlot() {
        try (Connection connection = postgres.connect(database); Statement statement = connection.createStatement()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (true) {
                statement.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                        + " WHERE slot_name = '" + slot() + "' AND active");
                try (ResultSet dropped = statement.executeQuery("SELECT count(pg_drop_replication_slot(slot_name))"
                        + " FROM pg_replication_slots WHERE slot_name = '" + slot() + "' AND NOT active")) {
                    dropped.next();
                }
                try (ResultSet left = statement.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                        + slot() + "'")) {
                    left.next();
                    if (left.getLong(1) == 0) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("slot " + slot() + " could not be dropped within 20 s");
                }
                TimeUnit.MILLISECONDS.sleep(100); // the killed server's walsender is ending
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop slot " + slot() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** With the server paused: WAL past {@code max_slot_wal_keep_size} and a checkpoint invalidate its slot. */
    private void invalidateSlot() {
        try {
            postgres.churnWalAndCheckpoint(database);
            try (Connection connection = postgres.connect(database); Statement statement = connection.createStatement();
                 ResultSet slot = statement.executeQuery("SELECT coalesce(wal_status, 'none') FROM pg_replication_slots"
                         + " WHERE slot_name = '" + slot() + "'")) {
                String status = slot.next() ? slot.getString(1) : "gone";
                if (!"lost".equals(status)) {
                    throw new IllegalStateException("slot " + slot() + " not invalidated by the WAL churn (wal_status "
                            + status + ")");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not invalidate slot " + slot() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The server's history once its capture has logged up to {@code target}: after a lost slot the restarted server
     * decides on a new history only once capture starts, so the history it serves at the end is known only then.
     */
    private String awaitHistory(long target) {
        return org.awaitility.Awaitility.await("the server's history (see " + logs() + ")")
                .atMost(HISTORY_WAIT).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> {
                    watchdog();
                    try (Connection source = postgres.connect(database); Statement statement = source.createStatement();
                         ResultSet row = statement.executeQuery("SELECT history_id FROM tidemark.history_state"
                                 + " WHERE (capture_position - '0/0'::pg_lsn)::bigint >= " + target)) {
                        return row.next() ? row.getString(1) : null;
                    }
                }, java.util.Objects::nonNull);
    }

    /** Injects {@code fault} on {@code target} and heals it after {@code millis}; false when it is already down. */
    private boolean holdDown(ScheduledExecutorService scheduler, Object target, long millis, Runnable fault, Runnable heal) {
        if (heldDown.contains(target)) {
            return false;
        }
        heldDown.add(target);
        try {
            fault.run();
        } finally {
            scheduleHeal(scheduler, target, millis, heal);
        }
        return true;
    }

    private void scheduleHeal(ScheduledExecutorService scheduler, Object target, long millis, Runnable heal) {
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

    private static boolean later(ScheduledExecutorService scheduler, long millis, Runnable fault, Runnable heal) {
        fault.run();
        scheduler.schedule(heal, millis, TimeUnit.MILLISECONDS);
        return true;
    }

    private synchronized void healAll() {
        heldDown.clear();
        postgres.start();
        servers.forEach(node -> node.process().ensureRunning());
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

    private boolean awaitCaughtUp(ClientProcess client, long target, String history) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            var sample = client.store().sample();
            if (sample.isPresent() && history.equals(sample.get().historyId())
                    && Long.compareUnsigned(sample.get().committedLsn(), target) >= 0) {
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
        statement.execute("DROP DATABASE IF EXISTS " + storeDatabase() + " WITH (FORCE)");
    }

    /** A passed run leaves its result line and logs; its stores and database go (a failed run keeps them). */
    private void cleanUp() throws IOException, SQLException {
        for (ClientProcess client : clients) {
            client.store().delete();
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
