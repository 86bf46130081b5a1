package dev.tidemark.benchmarks.cluster;

import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import dev.tidemark.benchmarks.hub.ClientFleet;
import dev.tidemark.server.pg.SourceSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Several server nodes (separate JVMs, {@code tidemark serve}) over one embedded PostgreSQL, with a fixed number of
 * clients split evenly over the nodes (each node's clients in their own JVM, {@link ClientFleet}). For 1, 2 and
 * 3 nodes: total deliveries per second with writers committing as fast as PostgreSQL takes them, and each server
 * process's CPU time per delivery (from the operating system's account of the process, {@link ProcessHandle.Info});
 * then the live latency (source commit to client receipt) p50/p99 of the leader's clients and of the standbys'
 * clients at a fixed offered rate.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am verify -Pcluster-benchmark -DskipTests [-Dcluster.args="--clients 60
 * --seconds 10 --latency-seconds 6 --rate 1000 --nodes 3"]}
 */
public final class ClusterBenchmark {

    private static final int ROWS = 1_000;
    private static final int CHANGES_PER_TX = 10;

    private ClusterBenchmark() {}

    /** One server process. */
    private record Node(int port, Path log, Process process) {

        Duration cpu() {
            return process.info().totalCpuDuration().orElse(Duration.ZERO);
        }
    }

    /** One node's fleet of clients. */
    private record Fleet(Process process, BufferedReader out, Writer in) {

        void send(String command) throws IOException {
            in.write(command + "\n");
            in.flush();
        }

        long[] result() throws IOException {
            String line = out.readLine();
            if (line == null || !line.startsWith("RESULT ")) {
                throw new IllegalStateException("client fleet answered " + line);
            }
            String[] f = line.substring(7).split(" ");
            return new long[] {Math.round(Double.parseDouble(f[0]) * 1000), Long.parseLong(f[1]), Long.parseLong(f[5]),
                    Long.parseLong(f[6])};
        }
    }

    /** One configuration's figures. */
    record Row(int nodes, int clients, double deliveriesPerSecond, List<Double> cpuMicrosPerDelivery,
               long leaderP50, long leaderP99, long standbyP50, long standbyP99, int offered) {}

    public static void main(String[] args) throws Exception {
        int clients = 60;
        int seconds = 10;
        int latencySeconds = 6;
        int rate = 1_000;
        int maxNodes = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--latency-seconds" -> latencySeconds = Integer.parseInt(args[i + 1]);
                case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                case "--nodes" -> maxNodes = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + ": use --clients N --seconds S --latency-seconds S --rate CHANGES_PER_S --nodes N");
            }
        }
        Path directory = Files.createTempDirectory("tidemark-cluster-benchmark");
        List<Row> rows = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        try (EmbeddedSource postgres = new EmbeddedPostgresStarter().start(EmbeddedPostgresSettings.of(directory.resolve("pg")))) {
            SourceSettings source = postgres.settings();
            try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE bench (id int PRIMARY KEY, v text, n bigint NOT NULL DEFAULT 0)");
                statement.execute("INSERT INTO bench SELECT g, 'row ' || g FROM generate_series(1, " + ROWS + ") g");
            }
            try {
                for (int count = 1; count <= maxNodes; count++) {
                    while (nodes.size() < count) {
                        nodes.add(startNode(source, directory, nodes.size() + 1));
                    }
                    awaitLeader(nodes.get(0));
                    Row row = measure(source, nodes, clients, seconds, latencySeconds, rate);
                    System.out.println(format(row));
                    rows.add(row);
                }
            } finally {
                for (Node node : nodes) {
                    node.process().destroy();
                }
                for (Node node : nodes) {
                    if (!node.process().waitFor(30, TimeUnit.SECONDS)) {
                        node.process().destroyForcibly();
                    }
                }
            }
        }
        System.out.println();
        System.out.println("| nodes | clients | deliveries/s | server CPU per delivery (µs, per node; leader first)"
                + " | live p50 / p99 leader's clients | live p50 / p99 standbys' clients | offered (changes/s) |");
        System.out.println("|---|---|---|---|---|---|---|");
        rows.forEach(row -> System.out.println(format(row)));
    }

    private static String format(Row row) {
        return String.format(Locale.ROOT, "| %d | %d | %,.0f | %s | %.1f / %.1f ms | %s | %,d |", row.nodes(), row.clients(),
                row.deliveriesPerSecond(), String.join(", ", row.cpuMicrosPerDelivery().stream()
                        .map(cpu -> String.format(Locale.ROOT, "%.1f", cpu)).toList()),
                row.leaderP50() / 1000.0, row.leaderP99() / 1000.0,
                row.nodes() == 1 ? "-" : String.format(Locale.ROOT, "%.1f / %.1f ms", row.standbyP50() / 1000.0,
                        row.standbyP99() / 1000.0), row.offered());
    }

    private static Row measure(SourceSettings source, List<Node> nodes, int clients, int seconds, int latencySeconds,
                               int rate) throws Exception {
        String[] state = historyState(source);
        List<Fleet> fleets = new ArrayList<>();
        try {
            for (int i = 0; i < nodes.size(); i++) {
                fleets.add(startFleet(nodes.get(i).port(), clients / nodes.size(), "n" + nodes.size() + "-node" + (i + 1),
                        state[1], state[0]));
            }
            for (Fleet fleet : fleets) {
                expect(fleet.out(), "READY");
            }
            // Throughput: writers as fast as PostgreSQL takes them.
            Duration[] cpuBefore = nodes.stream().map(Node::cpu).toArray(Duration[]::new);
            fleets.forEach(fleet -> send(fleet, "GO"));
            write(source, Duration.ofSeconds(seconds), 0);
            fleets.forEach(fleet -> send(fleet, "STOP"));
            Duration[] cpuAfter = nodes.stream().map(Node::cpu).toArray(Duration[]::new);
            long total = 0;
            double elapsed = 0;
            List<Double> cpuPerDelivery = new ArrayList<>();
            for (int i = 0; i < fleets.size(); i++) {
                long[] result = fleets.get(i).result();
                total += result[1];
                elapsed = Math.max(elapsed, result[0] / 1000.0);
                cpuPerDelivery.add(result[1] == 0 ? Double.NaN
                        : cpuAfter[i].minus(cpuBefore[i]).toNanos() / 1000.0 / result[1]);
            }
            awaitDrained(source);
            // Live latency at the offered rate.
            write(source, Duration.ofSeconds(1), rate);
            fleets.forEach(fleet -> send(fleet, "GO"));
            write(source, Duration.ofSeconds(latencySeconds), rate);
            fleets.forEach(fleet -> send(fleet, "STOP"));
            long[] leader = fleets.get(0).result();
            long standbyP50 = 0;
            long standbyP99 = 0;
            for (Fleet fleet : fleets.subList(1, fleets.size())) {
                long[] result = fleet.result();
                standbyP50 = Math.max(standbyP50, result[2]);
                standbyP99 = Math.max(standbyP99, result[3]);
            }
            return new Row(nodes.size(), clients / nodes.size() * nodes.size(), total / elapsed, cpuPerDelivery,
                    leader[2], leader[3], standbyP50, standbyP99, rate);
        } finally {
            for (Fleet fleet : fleets) {
                fleet.in().close();
                if (!fleet.process().waitFor(10, TimeUnit.SECONDS)) {
                    fleet.process().destroyForcibly();
                }
            }
        }
    }

    private static void send(Fleet fleet, String command) {
        try {
            fleet.send(command);
        } catch (IOException e) {
            throw new IllegalStateException("the client fleet is gone: " + e.getMessage(), e);
        }
    }

    /**
     * Commits transactions of {@value #CHANGES_PER_TX} updates until {@code duration} passed: at {@code rate}
     * changes/s on one connection when positive, else as fast as two connections can.
     */
    private static void write(SourceSettings source, Duration duration, int rate) throws Exception {
        int writers = rate > 0 ? 1 : 2;
        long deadline = System.nanoTime() + duration.toNanos();
        AtomicBoolean failed = new AtomicBoolean();
        AtomicLong transactions = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Thread thread = new Thread(() -> {
                try (Connection connection = source.connect();
                        PreparedStatement update = connection.prepareStatement(
                                "UPDATE bench SET n = n + 1, v = ? WHERE id = ?")) {
                    connection.setAutoCommit(false);
                    long start = System.nanoTime();
                    long tx = 0;
                    while (System.nanoTime() < deadline) {
                        if (rate > 0) {
                            long due = start + tx * CHANGES_PER_TX * 1_000_000_000L / rate;
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                                continue;
                            }
                        }
                        int first = ThreadLocalRandom.current().nextInt(ROWS - CHANGES_PER_TX) + 1;
                        for (int i = 0; i < CHANGES_PER_TX; i++) {
                            update.setString(1, "value " + tx);
                            update.setInt(2, first + i);
                            update.addBatch();
                        }
                        update.executeBatch();
                        connection.commit();
                        tx++;
                        transactions.incrementAndGet();
                    }
                } catch (SQLException e) {
                    failed.set(true);
                    e.printStackTrace();
                }
            }, "bench-writer-" + w);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failed.get()) {
            throw new IllegalStateException("a writer failed");
        }
    }

    /** Waits (up to a minute) until every client acknowledged the change log's capture position. */
    private static void awaitDrained(SourceSettings source) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline) {
            try (Connection connection = source.connect(); Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery("SELECT count(*) FROM tidemark.client_progress p,"
                            + " tidemark.history_state h WHERE p.connected AND p.acked_lsn < h.capture_position")) {
                row.next();
                if (row.getLong(1) == 0) {
                    return;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    /** The change log's history id and capture position. */
    private static String[] historyState(SourceSettings source) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT history_id, capture_position::text FROM tidemark.history_state")) {
            if (!row.next()) {
                throw new IllegalStateException("the change log has no history yet");
            }
            return new String[] {row.getString(1), row.getString(2)};
        }
    }

    private static Node startNode(SourceSettings source, Path directory, int number) throws IOException {
        int port = freePort();
        Path log = directory.resolve("node-" + number + ".log");
        Process process = new ProcessBuilder(java(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "dev.tidemark.app.Tidemark", "serve", "--source", source.jdbcUrl() + "?user=postgres",
                "--tables", "public.bench", "--port", Integer.toString(port),
                "--set", "tidemark.auth.enabled=false", "--set", "tidemark.http.bind-address=127.0.0.1",
                "--set", "tidemark.http.max-connections=1000")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Node node = new Node(port, log, process);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!readyz(node).startsWith("200 ")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("node " + number + " did not start:\n" + read(log));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        return node;
    }

    /** The node's {@code /readyz} answer as "status body", or "unreachable". */
    private static String readyz(Node node) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.port() + "/readyz")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (IOException e) {
            return "unreachable";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static void awaitLeader(Node node) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline) {
            String answer = readyz(node);
            if (answer.startsWith("200 ") && answer.contains("leads capture")) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        throw new IllegalStateException("the first node does not lead capture: " + read(node.log()));
    }

    private static Fleet startFleet(int port, int count, String prefix, String from, String history) throws IOException {
        Process process = new ProcessBuilder(java(), "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), ClientFleet.class.getName(), Integer.toString(port),
                Integer.toString(count), prefix, from, history)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new Fleet(process, new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)),
                new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    }

    private static void expect(BufferedReader out, String expected) throws IOException {
        String line = out.readLine();
        if (!expected.equals(line)) {
            throw new IllegalStateException("client fleet answered " + line + " instead of " + expected);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
