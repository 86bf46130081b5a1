package dev.tidemark.benchmarks.endtoend;

import dev.tidemark.benchmarks.postgres.PgStatements;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.runtime.ServerRuntime;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import dev.tidemark.client.status.SyncStatus;
import dev.tidemark.server.feed.ChangeFeed;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * End to end through the real system: PostgreSQL commit → capture → change log → hub → WebSocket →
 * client → SQLite commit, for one client, beside the SQLite store's own apply rate of the same
 * changes measured in the same run; then latency at fixed rates of one-row transactions.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
 *     dev.tidemark.benchmarks.endtoend.EndToEndBenchmark [changes] [rowsPerTransaction] [latencyRatePerSecond] [latencySeconds]
 * </pre>
 * {@code ./tidemark bench --only e2e} runs it with the rates of issue 13 (1,000 and 5,000 transactions/s).
 */
public final class EndToEndBenchmark {

    /** Transactions per second one committing connection is given (a commit waits for its WAL flush). */
    private static final int RATE_PER_PRODUCER = Integer.getInteger("bench.ratePerProducer", 500);

    private EndToEndBenchmark() {}

    /**
     * Throughput figures, changes per second.
     *
     * @param changes changes in the backlog
     * @param live first source commit to the live client's store commit of the last change (bounded by the writer)
     * @param catchUp a new client syncing the whole backlog (the first: the server's catch-up paths run for the
     *     first time, so the JIT compiles them while it runs)
     * @param catchUpWarm a third new client syncing the same backlog right after two others (what a running server
     *     gives every new client)
     * @param storeApply the SQLite store alone applying the same changes in batches of 500
     */
    public record Throughput(int changes, double live, double catchUp, double catchUpWarm, double storeApply) {}

    /**
     * Latency at one offered rate: for each one-row transaction, from its source commit until the client's
     * store has committed past it.
     *
     * @param rate offered transactions per second
     * @param achievedRate transactions per second the producers committed
     * @param firstSecondP50 p50 of the first second's transactions, in ms
     * @param lastSecondP50 p50 of the last second's transactions, in ms
     * @param hops where the time went: p50 and p99 of each hop, in ms
     * @param secondsP99 p99 of each second's transactions (in commit order), in ms: when the slow ones came
     */
    public record Latency(int rate, int seconds, double achievedRate, int samples, double p50, double p99, double max,
                          double firstSecondP50, double lastSecondP50, List<Hop> hops, List<Double> secondsP99) {

        /** Whether the client falls behind: the last second's p50 more than twice the first's plus 50 ms. */
        public boolean lagGrows() {
            return lastSecondP50 > 2 * firstSecondP50 + 50;
        }
    }

    /**
     * One hop of the latency, from the previous hop's end: {@code logged} (source commit → the change-log commit
     * that holds it, as capture publishes it to the hub), {@code received} (→ the client received the batch
     * ending at or after it), {@code applied} (→ the client's store committed it).
     */
    public record Hop(String name, double p50, double p99) {}

    /** The figures of one run. */
    public record Result(Throughput throughput, List<Latency> latencies) {}

    public static void main(String[] args) throws Exception {
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rowsPerTransaction = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int latencyRate = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int latencySeconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        measure(changes, rowsPerTransaction, List.of(latencyRate), latencySeconds, System.out);
    }

    /**
     * Starts an embedded PostgreSQL and a server, runs the throughput phase with a backlog of {@code changes}
     * in transactions of {@code rowsPerTransaction}, then a latency phase per rate, printing to {@code out}.
     */
    public static Result measure(int changes, int rowsPerTransaction, List<Integer> rates, int latencySeconds,
                                 PrintStream out) throws Exception {
        try (LocalTidemark system = LocalTidemark.start("tidemark-e2e-bench")) {
            SourceSettings source = system.source();
            try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE bench (id bigint PRIMARY KEY, payload text NOT NULL, n int NOT NULL)");
            }
            // -Dbench.changeLogDatabase=true: the change log in a database of its own on the same PostgreSQL, whose
            // WAL the source's walsender skips instead of decoding it (docs/performance.md).
            Optional<Map<String, String>> changeLog = Optional.empty();
            if (Boolean.getBoolean("bench.changeLogDatabase")) {
                try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
                    statement.execute("CREATE DATABASE tidemark_log");
                }
                String url = source.jdbcUrl().replaceFirst("/[^/?]*(\\?|$)", "/tidemark_log$1");
                changeLog = Optional.of(new SourceSettings(url, source.user(), source.password()).asChangeLogConfig());
                out.println("change log in its own database: " + url);
            }
            try (ServerRuntime server = system.startServer(List.of("bench"), changeLog)) {
                return run(system, server, changes, rowsPerTransaction, rates, latencySeconds, out);
            }
        }
    }

    private static Result run(LocalTidemark system, ServerRuntime server, int changes, int rowsPerTransaction,
                              List<Integer> rates, int latencySeconds, PrintStream out) throws Exception {
        SourceSettings source = system.source();
        // -Dbench.clientBytesPerSecond=N: the live client receives through a link of N bytes/s, as a remote client
        // does, so the changes' time on the wire shows (the catch-up clients stay on loopback).
        long linkRate = Long.getLong("bench.clientBytesPerSecond", 0);
        try (ThrottledLink link = linkRate > 0 ? new ThrottledLink(server.port(), linkRate) : null;
             TidemarkClient client = system.client(link != null ? link.port() : server.port(), "bench-client").start()) {
            if (link != null) {
                out.printf(Locale.ROOT, "the live client receives through a link of %,d bytes/s%n", linkRate);
            }
            client.caughtUp().get(60, TimeUnit.SECONDS);
            // Where the latency goes: capture publishes each committed range to the hub right after its commit.
            AtomicReference<Lsn> logged = new AtomicReference<>(Lsn.ZERO);
            server.injector().getInstance(ChangeFeed.class)
                    .subscribe(range -> logged.accumulateAndGet(range.to(), Lsn::max));

            // Throughput: from the first source commit to the client's store commit of the last. With
            // -Dbench.liveRounds=N the backlog is written N times (new keys each time) and the last round is the
            // figure: the first runs capture, the hub and the client's decode with a cold JIT, as the catch-up's
            // first client does (docs/performance.md, "One large source transaction").
            int rounds = Integer.getInteger("bench.liveRounds", 1);
            double endToEnd = 0;
            for (int round = 0; round < rounds; round++) {
                endToEnd = liveRound(system, server, client, round, changes, rowsPerTransaction, out);
            }
            int backlog = changes * rounds;

            // Catch-up: a new client syncs the whole backlog (hub → client → SQLite), three times: the first new
            // client runs the server's snapshot and catch-up paths for the first time, and on two cores the JIT's
            // compilations of them take about a core through the first two (flight recordings: 1.7-2.2 s of C2
            // compilations over 100 ms each within a 2.5-3 s catch-up); the third shows what a running server gives
            // every new client.
            double catchUp = catchUp(system, server, "bench-catch-up", backlog, out);
            catchUp(system, server, "bench-catch-up-2", backlog, out);
            double catchUpWarm = catchUp(system, server, "bench-catch-up-3", backlog, out);

            // Baseline: the same changes, read from the change log, applied by the store alone.
            long readStart = System.nanoTime();
            List<ChangeBatch> batches = readBatches(server, 500);
            out.printf(Locale.ROOT, "reading the change log in pages of 500: %,.0f changes/s%n",
                    backlog / ((System.nanoTime() - readStart) / 1e9));
            // The median of three applies, each into a new file: one apply's rate moves with the disk's flushes
            // (single applies of the same batches ranged 169k-308k changes/s in one session).
            double[] applies = new double[3];
            for (int i = 0; i < applies.length; i++) {
                try (SyncStore store = SyncStores.open("sqlite",
                        Map.of("path", system.directory().resolve("baseline-" + i + ".db").toString()))) {
                    long applyStart = System.nanoTime();
                    for (ChangeBatch batch : batches) {
                        store.apply(batch);
                    }
                    applies[i] = batches.stream().mapToInt(b -> b.changes().size()).sum()
                            / ((System.nanoTime() - applyStart) / 1e9);
                }
            }
            Arrays.sort(applies);
            double storeRate = applies[1];
            out.printf(Locale.ROOT, "SQLite store apply alone, three runs (sorted): %,.0f, %,.0f, %,.0f changes/s; the median is the baseline%n",
                    applies[0], applies[1], applies[2]);
            out.println();
            out.printf(Locale.ROOT, "| measurement (%,d changes, %d rows per transaction) | changes/s | ratio |%n", backlog,
                    rowsPerTransaction);
            out.println("|---|---:|---:|");
            out.printf(Locale.ROOT, "| SQLite store apply alone (baseline, batches of 500) | %,.0f | 1.00 |%n", storeRate);
            out.printf(Locale.ROOT, "| live, end to end: PostgreSQL commit → client SQLite commit (bounded by the writer) | %,.0f | %.2f |%n",
                    endToEnd, endToEnd / storeRate);
            out.printf(Locale.ROOT, "| catch-up: a new client syncs the backlog (hub → client → SQLite), first | %,.0f | %.2f |%n",
                    catchUp, catchUp / storeRate);
            out.printf(Locale.ROOT, "| catch-up: a third new client syncs the backlog (warm) | %,.0f | %.2f |%n",
                    catchUpWarm, catchUpWarm / storeRate);

            List<Latency> latencies = new ArrayList<>();
            int nextId = backlog;
            for (int rate : rates) {
                // For a flight recording of the run: where the phase lies (JfrTop's --from/--to count from about here).
                out.printf(Locale.ROOT, "latency phase at %,d/s: JVM uptime %.1f s to %.1f s%n", rate,
                        ManagementFactory.getRuntimeMXBean().getUptime() / 1e3,
                        ManagementFactory.getRuntimeMXBean().getUptime() / 1e3 + latencySeconds);
                Latency latency = latency(client, logged::get, source, rate, latencySeconds, nextId);
                nextId += rate * latencySeconds;
                latencies.add(latency);
                out.printf(Locale.ROOT, "%nlatency at %,d one-row transactions/s offered (%,.0f committed) for %d s"
                                + " (source commit → client store commit): p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d samples)%n",
                        rate, latency.achievedRate(), latencySeconds, latency.p50(), latency.p99(), latency.max(),
                        latency.samples());
                out.println("  p99 of each second (ms): " + latency.secondsP99().stream()
                        .map(p -> String.format(Locale.ROOT, "%.0f", p)).collect(java.util.stream.Collectors.joining(" ")));
                for (Hop hop : latency.hops()) {
                    out.printf(Locale.ROOT, "  hop %-8s p50 %6.1f ms, p99 %6.1f ms%n", hop.name(), hop.p50(), hop.p99());
                }
                out.printf(Locale.ROOT, "keeps up: p50 of the first second %.1f ms, of the last second %.1f ms (%s)%n",
                        latency.firstSecondP50(), latency.lastSecondP50(),
                        latency.lagGrows() ? "falling behind" : "keeps up");
            }
            return new Result(new Throughput(backlog, endToEnd, catchUp, catchUpWarm, storeRate), latencies);
        }
    }

    /**
     * One round of the throughput phase: {@code changes} new rows (keys from {@code round * changes}) in
     * transactions of {@code rowsPerTransaction}; the rate from the first source commit to the client's store
     * commit of the last, changes per second.
     */
    private static double liveRound(LocalTidemark system, ServerRuntime server, TidemarkClient client, int round,
                                    int changes, int rowsPerTransaction, PrintStream out) throws Exception {
        SourceSettings source = system.source();
        long applied = client.status().appliedChanges();
        double uptimeStart = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
        PgStatements.reset(source);
        ThreadCpu cpu = ThreadCpu.start(system.directory().resolve("pg"));
        long start = System.nanoTime();
        try (Connection connection = source.connect();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO bench SELECT g, md5(g::text), g FROM generate_series(?, ?) g")) {
            int base = round * changes;
            for (int first = 0; first < changes; first += rowsPerTransaction) {
                insert.setInt(1, base + first);
                insert.setInt(2, base + Math.min(changes, first + rowsPerTransaction) - 1);
                insert.executeUpdate();
            }
        }
        Lsn target = currentWal(source);
        long written = System.nanoTime();
        server.capture().heartbeatNow();
        awaitPosition(() -> server.changeLog().state().orElseThrow().capturePosition(), target);
        long captured = System.nanoTime();
        // The last change applied (not the position: a position past the last change, such as a
        // heartbeat's, reaches a client only with the next batch or the periodic empty batch).
        awaitCount(client, applied + changes);
        long done = System.nanoTime();
        out.printf(Locale.ROOT, "live round %d: source commits took %.2f s, captured %.2f s after the first commit,"
                        + " client committed %.2f s after%n", round + 1,
                (written - start) / 1e9, (captured - start) / 1e9, (done - start) / 1e9);
        PgStatements.print(source, "live round " + (round + 1), changes, "change", 6, out);
        out.printf(Locale.ROOT, "  live round %d: JVM uptime %.1f s to %.1f s; CPU per change: %s%n", round + 1,
                uptimeStart, ManagementFactory.getRuntimeMXBean().getUptime() / 1e3, cpu.perChange(changes));
        return changes / ((done - start) / 1e9);
    }

    /** A new client {@code clientId} syncs the whole backlog of {@code changes}; its rate, changes per second. */
    private static double catchUp(LocalTidemark system, ServerRuntime server, String clientId, int changes,
                                  PrintStream out) throws Exception {
        try (TidemarkClient fresh = system.client(server, clientId)) {
            double uptimeStart = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
            PgStatements.reset(system.source());
            ThreadCpu cpu = ThreadCpu.start(system.directory().resolve("pg"));
            long start = System.nanoTime();
            fresh.start();
            awaitCount(fresh, changes);
            double rate = changes / ((System.nanoTime() - start) / 1e9);
            PgStatements.print(system.source(), "catch-up of " + clientId, changes, "change", 6, out);
            // For a flight recording of the run: where the catch-up lies (JfrTop's --from/--to).
            out.printf(Locale.ROOT, "catch-up of %s: %,.0f changes/s, JVM uptime %.1f s to %.1f s%n", clientId, rate,
                    uptimeStart, ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
            out.println("  CPU per change: " + cpu.perChange(changes));
            return rate;
        }
    }

    /** A committed source transaction: number {@code index}, its commit is after {@code lsn}, observed at {@code nanos}. */
    private record Pending(Lsn lsn, int index, long nanos) {}

    /**
     * Commits one-row transactions at {@code rate} per second for {@code seconds} from one connection per
     * {@link #RATE_PER_PRODUCER} transactions/s (2 to 16; their commits share WAL flushes), each paced to its share of the rate (on a machine too slow for the rate, fewer are committed
     * in the same time, and the committed rate says so), and measures for each the time from its commit until
     * the client's store committed past the WAL position read inside it.
     */
    private static Latency latency(TidemarkClient client, Supplier<Lsn> logged, SourceSettings source, int rate,
                                   int seconds, int firstId) throws Exception {
        int planned = rate * seconds;
        int producerCount = Math.max(2, Math.min(16, rate / RATE_PER_PRODUCER));
        ConcurrentSkipListSet<Pending> pending = new ConcurrentSkipListSet<>(
                Comparator.comparing(Pending::lsn).thenComparingInt(Pending::index));
        double[] millis = new double[planned];
        Arrays.fill(millis, Double.NaN);
        // Per transaction, when each hop passed it (nanos), for the breakdown: logged, received.
        long[][] passed = new long[2][planned];
        AtomicInteger measured = new AtomicInteger();
        AtomicInteger produced = new AtomicInteger();
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> sample(client, logged, pending, millis, passed, measured, produced, producing,
                seconds),
                "latency-sampler");
        sampler.start();
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 10_000_000;
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService producers = Executors.newFixedThreadPool(producerCount);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int p = 0; p < producerCount; p++) {
                int producer = p;
                done.add(producers.submit(() -> {
                    produce(source, producer, producerCount, planned, start, end, interval, firstId, pending,
                            produced);
                    return null;
                }));
            }
            for (Future<Void> future : done) {
                future.get();
            }
        } finally {
            producers.shutdownNow();
            producing.set(false);
        }
        double achieved = produced.get() / ((System.nanoTime() - start) / 1e9);
        sampler.join(TimeUnit.SECONDS.toMillis(seconds + 120L));
        // Whether the client keeps up: the lag of the first and the last second's transactions (in commit order).
        List<Double> inOrder = new ArrayList<>();
        for (int i = 0; i < planned; i++) {
            if (!Double.isNaN(millis[i])) {
                inOrder.add(millis[i]);
            }
        }
        int missing = produced.get() - inOrder.size();
        if (inOrder.isEmpty() || missing > 0) {
            throw new IllegalStateException(missing + " of " + produced.get() + " transactions of the latency phase at "
                    + rate + "/s did not reach the client within two minutes");
        }
        int second = Math.max(1, Math.min((int) achieved, inOrder.size()));
        List<Double> firstSecond = new ArrayList<>(inOrder.subList(0, second));
        List<Double> lastSecond = new ArrayList<>(inOrder.subList(inOrder.size() - second, inOrder.size()));
        Collections.sort(firstSecond);
        Collections.sort(lastSecond);
        List<Double> secondsP99 = new ArrayList<>();
        for (int from = 0; from < inOrder.size(); from += second) {
            List<Double> window = new ArrayList<>(inOrder.subList(from, Math.min(inOrder.size(), from + second)));
            Collections.sort(window);
            secondsP99.add(percentile(window, 0.99));
        }
        List<Double> sorted = new ArrayList<>(inOrder);
        Collections.sort(sorted);
        return new Latency(rate, seconds, achieved, sorted.size(), percentile(sorted, 0.50), percentile(sorted, 0.99),
                sorted.get(sorted.size() - 1), percentile(firstSecond, 0.50), percentile(lastSecond, 0.50),
                hops(millis, passed), secondsP99);
    }

    private static void produce(SourceSettings source, int producer, int producers, int planned, long start, long end,
                                long interval, int firstId, ConcurrentSkipListSet<Pending> pending,
                                AtomicInteger produced) throws Exception {
        CountDownLatch pace = new CountDownLatch(1);
        try (Connection connection = source.connect();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO bench VALUES (?, 'x', 0) RETURNING pg_current_wal_lsn()::text")) {
            for (int i = producer; i < planned && System.nanoTime() < end; i += producers) {
                long wait = start + i * interval - System.nanoTime();
                if (wait > 0) {
                    pace.await(wait, TimeUnit.NANOSECONDS);
                }
                insert.setInt(1, firstId + i);
                Lsn before;
                try (ResultSet row = insert.executeQuery()) {
                    row.next();
                    before = Lsn.parse(row.getString(1));
                }
                pending.add(new Pending(before, i, System.nanoTime()));
                produced.incrementAndGet();
            }
        }
    }

    /**
     * Records, for each pending transaction, when the client's store has committed past it, and on the way (for
     * the breakdown) how long after its commit the change log and the client's receipt passed it.
     */
    private static void sample(TidemarkClient client, Supplier<Lsn> logged, ConcurrentSkipListSet<Pending> pending,
                               double[] millis, long[][] passed, AtomicInteger measured, AtomicInteger produced,
                               AtomicBoolean producing, int seconds) {
        CountDownLatch pace = new CountDownLatch(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 120L);
        try {
            while ((producing.get() || measured.get() < produced.get()) && System.nanoTime() < deadline) {
                Lsn inLog = logged.get();
                SyncStatus status = client.status();
                Lsn received = status.serverLsn();
                Lsn committed = status.committedLsn();
                long now = System.nanoTime();
                for (Pending waiting : pending.headSet(new Pending(inLog, Integer.MIN_VALUE, 0))) {
                    int index = waiting.index();
                    if (passed[0][index] == 0) {
                        passed[0][index] = Math.max(1, now - waiting.nanos());
                    }
                    if (passed[1][index] == 0 && received.isAfter(waiting.lsn())) {
                        passed[1][index] = Math.max(1, now - waiting.nanos());
                    }
                }
                Pending next;
                while ((next = pending.isEmpty() ? null : pending.first()) != null && committed.isAfter(next.lsn())) {
                    pending.remove(next);
                    long total = now - next.nanos();
                    passed[0][next.index()] = passed[0][next.index()] == 0 ? total : passed[0][next.index()];
                    passed[1][next.index()] = passed[1][next.index()] == 0 ? total : passed[1][next.index()];
                    millis[next.index()] = total / 1e6;
                    measured.incrementAndGet();
                }
                pace.await(100, TimeUnit.MICROSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** p50 and p99 of each hop: logged, received, applied (each from the previous one's end). */
    private static List<Hop> hops(double[] millis, long[][] passed) {
        List<Double> logged = new ArrayList<>();
        List<Double> received = new ArrayList<>();
        List<Double> applied = new ArrayList<>();
        for (int i = 0; i < millis.length; i++) {
            if (Double.isNaN(millis[i])) {
                continue;
            }
            double log = passed[0][i] / 1e6;
            double receipt = Math.max(log, passed[1][i] / 1e6);
            logged.add(log);
            received.add(receipt - log);
            applied.add(millis[i] - receipt);
        }
        List<Hop> hops = new ArrayList<>();
        for (Map.Entry<String, List<Double>> hop : List.of(Map.entry("logged", logged), Map.entry("received", received),
                Map.entry("applied", applied))) {
            List<Double> sorted = new ArrayList<>(hop.getValue());
            Collections.sort(sorted);
            hops.add(sorted.isEmpty() ? new Hop(hop.getKey(), Double.NaN, Double.NaN)
                    : new Hop(hop.getKey(), percentile(sorted, 0.50), percentile(sorted, 0.99)));
        }
        return hops;
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * sorted.size())));
    }

    private static List<ChangeBatch> readBatches(ServerRuntime server, int size) {
        List<ChangeBatch> batches = new ArrayList<>();
        Lsn upTo = server.changeLog().state().orElseThrow().capturePosition();
        LogPosition after = new LogPosition(Lsn.ZERO, Integer.MAX_VALUE);
        Lsn prev = Lsn.ZERO;
        while (true) {
            List<LoggedChange> page = server.changeLog().read(after, upTo, Set.of(), size);
            if (page.isEmpty()) {
                return batches;
            }
            List<Change> changes = page.stream().map(LoggedChange::change).toList();
            Lsn end = page.get(page.size() - 1).lsn();
            // Pages may split a transaction (one of 200,000 rows spans hundreds of pages); the baseline only needs
            // increasing positions.
            Lsn lsn = end.isAfter(prev) ? end : Lsn.of(prev.value() + 1);
            batches.add(new ChangeBatch("b" + batches.size(), prev, lsn, changes));
            prev = lsn;
            after = page.get(page.size() - 1).position();
        }
    }

    private static Lsn currentWal(SourceSettings source) throws Exception {
        try (Connection connection = source.connect()) {
            return currentWal(connection);
        }
    }

    private static Lsn currentWal(Connection connection) throws Exception {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            row.next();
            return Lsn.parse(row.getString(1));
        }
    }

    private static void awaitCount(TidemarkClient client, long changes) throws InterruptedException {
        CountDownLatch pace = new CountDownLatch(1);
        while (client.status().appliedChanges() < changes) {
            pace.await(1, TimeUnit.MILLISECONDS);
        }
    }

    private static void awaitPosition(java.util.function.Supplier<Lsn> position, Lsn target) throws InterruptedException {
        CountDownLatch pace = new CountDownLatch(1);
        while (position.get().isBefore(target)) {
            pace.await(1, TimeUnit.MILLISECONDS);
        }
    }
}
