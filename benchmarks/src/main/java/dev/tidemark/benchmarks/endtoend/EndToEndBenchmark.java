package dev.tidemark.benchmarks.endtoend;

import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.runtime.ServerRuntime;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * End to end through the real system: PostgreSQL commit → capture → change log → hub → WebSocket →
 * client → SQLite commit, for one client, beside the SQLite store's own apply rate of the same
 * changes measured in the same run; then latency at a moderate fixed rate.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
 *     dev.tidemark.benchmarks.endtoend.EndToEndBenchmark [changes] [rowsPerTransaction] [latencyRatePerSecond] [latencySeconds]
 * </pre>
 */
public final class EndToEndBenchmark {

    private EndToEndBenchmark() {}

    public static void main(String[] args) throws Exception {
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rowsPerTransaction = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int latencyRate = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int latencySeconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path directory = Files.createTempDirectory("tidemark-e2e-bench");
        try (EmbeddedSource postgres = new EmbeddedPostgresStarter().start(EmbeddedPostgresSettings.of(directory.resolve("pg")))) {
            SourceSettings source = postgres.settings();
            try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE bench (id bigint PRIMARY KEY, payload text NOT NULL, n int NOT NULL)");
            }
            SyncServerConfig sync = new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(0).build(),
                    HubConfig.builder().batchMaxChanges(Integer.getInteger("hub.batch", 500)).window(Integer.getInteger("hub.window", 8)).build(), new AuthConfig(false, null));
            try (ServerRuntime server = ServerRuntime.start(new ServerRuntime.Settings(source,
                    "postgres", Optional.empty(),
                    CaptureSettings.builder().tables(List.of("bench")).build(), sync, new SimpleMeterRegistry()))) {
                run(server, source, directory, changes, rowsPerTransaction, latencyRate, latencySeconds);
            }
        }
    }

    private static void run(ServerRuntime server, SourceSettings source, Path directory, int changes, int rowsPerTransaction,
                            int latencyRate, int latencySeconds) throws Exception {
        try (TidemarkClient client = TidemarkClient.builder()
                .serverUrl("ws://127.0.0.1:" + server.port() + "/sync")
                .clientId("bench-client")
                .store("sqlite", Map.of("path", directory.resolve("client.db").toString()))
                .build().start()) {
            client.caughtUp().get(60, TimeUnit.SECONDS);

            // Throughput: from the first source commit to the client's store commit of the last.
            long start = System.nanoTime();
            try (Connection connection = source.connect();
                 PreparedStatement insert = connection.prepareStatement(
                         "INSERT INTO bench SELECT g, md5(g::text), g FROM generate_series(?, ?) g")) {
                for (int first = 0; first < changes; first += rowsPerTransaction) {
                    insert.setInt(1, first);
                    insert.setInt(2, Math.min(changes, first + rowsPerTransaction) - 1);
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
            awaitCount(client, changes);
            System.out.printf("source commits took %.2f s, captured %.2f s after the first commit, client committed %.2f s after%n",
                    (written - start) / 1e9, (captured - start) / 1e9, (System.nanoTime() - start) / 1e9);
            double endToEnd = changes / ((System.nanoTime() - start) / 1e9);

            // Catch-up: a new client syncs the whole backlog from the change log (hub → client → SQLite).
            double catchUp;
            try (TidemarkClient fresh = TidemarkClient.builder()
                    .serverUrl("ws://127.0.0.1:" + server.port() + "/sync")
                    .clientId("bench-catch-up")
                    .store("sqlite", Map.of("path", directory.resolve("catch-up.db").toString()))
                    .build()) {
                long catchUpStart = System.nanoTime();
                fresh.start();
                awaitCount(fresh, changes);
                catchUp = changes / ((System.nanoTime() - catchUpStart) / 1e9);
            }

            // Baseline: the same changes, read from the change log, applied by the store alone.
            long readStart = System.nanoTime();
            List<ChangeBatch> batches = readBatches(server, 500);
            System.out.printf("reading the change log in pages of 500: %,.0f changes/s%n",
                    changes / ((System.nanoTime() - readStart) / 1e9));
            try (SyncStore store = SyncStores.open("sqlite", Map.of("path", directory.resolve("baseline.db").toString()))) {
                long applyStart = System.nanoTime();
                for (ChangeBatch batch : batches) {
                    store.apply(batch);
                }
                double storeRate = batches.stream().mapToInt(b -> b.changes().size()).sum()
                        / ((System.nanoTime() - applyStart) / 1e9);
                System.out.println();
                System.out.printf("| measurement (%,d changes, %d rows per transaction) | changes/s | ratio |%n", changes,
                        rowsPerTransaction);
                System.out.println("|---|---:|---:|");
                System.out.printf("| SQLite store apply alone (baseline, batches of 500) | %,.0f | 1.00 |%n", storeRate);
                System.out.printf("| live, end to end: PostgreSQL commit → client SQLite commit (bounded by the writer) | %,.0f | %.2f |%n",
                        endToEnd, endToEnd / storeRate);
                System.out.printf("| catch-up: a new client syncs the backlog (change log → hub → client → SQLite) | %,.0f | %.2f |%n",
                        catchUp, catchUp / storeRate);
            }

            // Latency at a moderate fixed rate: one-row transactions; for each, the time from its source
            // commit until the client's store has committed its position.
            ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
            List<Double> millis = Collections.synchronizedList(new ArrayList<>());
            int samples = latencyRate * latencySeconds;
            Thread sampler = new Thread(() -> sample(client, pending, millis, samples), "latency-sampler");
            sampler.start();
            CountDownLatch pace = new CountDownLatch(1);
            long interval = 1_000_000_000L / latencyRate;
            try (Connection connection = source.connect();
                 PreparedStatement insert = connection.prepareStatement(
                         "INSERT INTO bench VALUES (?, 'x', 0) RETURNING pg_current_wal_lsn()::text")) {
                long next = System.nanoTime();
                for (int i = 0; i < samples; i++) {
                    insert.setInt(1, changes + i);
                    Lsn before;
                    try (ResultSet row = insert.executeQuery()) {
                        row.next();
                        before = Lsn.parse(row.getString(1));
                    }
                    pending.add(new Pending(before, System.nanoTime()));
                    next += interval;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        pace.await(wait, TimeUnit.NANOSECONDS);
                    }
                }
            }
            sampler.join(TimeUnit.SECONDS.toMillis(60));
            // Whether the client keeps up: the lag of the first and the last second's transactions (in commit order).
            List<Double> inOrder = new ArrayList<>(millis);
            int second = Math.min(latencyRate, inOrder.size());
            List<Double> firstSecond = new ArrayList<>(inOrder.subList(0, second));
            List<Double> lastSecond = new ArrayList<>(inOrder.subList(inOrder.size() - second, inOrder.size()));
            Collections.sort(firstSecond);
            Collections.sort(lastSecond);
            List<Double> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            System.out.printf("%nlatency at %d one-row transactions/s for %d s (source commit → client store commit): "
                            + "p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d samples)%n", latencyRate, latencySeconds,
                    percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.get(sorted.size() - 1), sorted.size());
            System.out.printf("keeps up: p50 of the first second %.1f ms, of the last second %.1f ms (%s)%n",
                    percentile(firstSecond, 0.50), percentile(lastSecond, 0.50),
                    percentile(lastSecond, 0.50) > 2 * percentile(firstSecond, 0.50) + 50 ? "falling behind" : "keeps up");
        }
    }

    /** A committed source transaction: its commit is after {@code lsn}, observed at {@code nanos}. */
    private record Pending(Lsn lsn, long nanos) {}

    /** Records, for each pending transaction, when the client's store has committed past it. */
    private static void sample(TidemarkClient client, ConcurrentLinkedQueue<Pending> pending, List<Double> millis, int count) {
        CountDownLatch pace = new CountDownLatch(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try {
            while (millis.size() < count && System.nanoTime() < deadline) {
                Lsn committed = client.status().committedLsn();
                long now = System.nanoTime();
                Pending next;
                while ((next = pending.peek()) != null && committed.isAfter(next.lsn())) {
                    pending.poll();
                    millis.add((now - next.nanos()) / 1e6);
                }
                pace.await(100, TimeUnit.MICROSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
            // Pages may split a transaction; the baseline only needs increasing positions.
            Lsn lsn = end.equals(prev) ? Lsn.of(prev.value() + 1) : end;
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
