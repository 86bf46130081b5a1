package dev.tidemark.benchmarks.hub;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServer;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.hub.testing.InMemoryChangeLog;
import dev.tidemark.server.hub.testing.TestCapture;
import dev.tidemark.server.spi.ClientProgress;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Fan-out benchmark of the hub: N clients (default 1, 100, 1000) on loopback receive the same stream.
 *
 * <p>The server runs in this JVM over the {@link InMemoryChangeLog} (no PostgreSQL), fed by a generator that
 * commits transactions of {@value #CHANGES_PER_TX} changes through the change-log SPI and publishes them on
 * the capture feed, as the capture does; it runs as fast as the slowest client allows (at most
 * {@value #MAX_AHEAD} transactions ahead of the lowest acknowledged position). The clients run in a separate
 * JVM ({@link ClientFleet}), each decoding, acking and timing every batch, so the server heap per client is
 * measured alone. Each row is printed beside the single-client run of the same invocation. The server's CPU per
 * delivered change is this JVM's process CPU time over the saturated phase less the generator thread's.
 *
 * <p>Run: {@code java -cp <benchmarks classpath> dev.tidemark.benchmarks.hub.FanOutBenchmark [clients=1,100,1000]
 * [seconds=10]}
 */
public final class FanOutBenchmark {

    static final int CHANGES_PER_TX = 10;
    static final int MAX_AHEAD = 500;
    /** The latency phase offers this share of the saturated per-client rate. */
    static final double LATENCY_LOAD = 0.5;
    static final int LATENCY_SECONDS = 4;

    private FanOutBenchmark() {}

    /** What the fleet reported for one phase. */
    record Phase(double seconds, long total, long minPerClient, long medianPerClient, long maxPerClient,
                 long p50Micros, long p99Micros) {

        static Phase parse(String line) {
            if (line == null || !line.startsWith("RESULT ")) {
                throw new IllegalStateException("client fleet answered " + line);
            }
            String[] f = line.substring(7).split(" ");
            return new Phase(Double.parseDouble(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                    Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]));
        }
    }

    /**
     * One client count's figures.
     *
     * @param serverCpuNanos CPU time of the server JVM during the saturated phase (every thread, GC and JIT
     *     included), less the generator thread's: the server's cost of the deliveries counted in {@code total}
     */
    public record Row(int clients, double seconds, long total, long minPerClient, long medianPerClient,
                      long maxPerClient, long p50Micros, long p99Micros, long heapPerClient,
                      int offeredChangesPerSecond, long serverCpuNanos) {

        static Row of(int clients, Phase throughput, Phase latency, long heapPerClient, int offered, long serverCpu) {
            return new Row(clients, throughput.seconds(), throughput.total(), throughput.minPerClient(),
                    throughput.medianPerClient(), throughput.maxPerClient(), latency.p50Micros(), latency.p99Micros(),
                    heapPerClient, offered, serverCpu);
        }

        /** Server CPU time per change delivered to a client, in µs. */
        public double serverCpuMicrosPerDelivery() {
            return serverCpuNanos / 1e3 / total;
        }

        /** Median changes per second of one client. */
        public double perClientRate() {
            return medianPerClient / seconds;
        }

        /** Changes delivered per second, all clients together. */
        public double totalRate() {
            return total / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        List<Integer> counts = new ArrayList<>();
        for (String n : (args.length > 0 ? args[0] : "1,100,1000").split(",")) {
            counts.add(Integer.parseInt(n.trim()));
        }
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        if (!counts.contains(1)) {
            counts.add(0, 1);
        }
        List<Row> rows = new ArrayList<>();
        for (int clients : counts) {
            Row row = run(clients, seconds);
            rows.add(row);
            System.out.printf(Locale.ROOT, "measured %d clients: %.0f changes/s per client%n", clients, row.perClientRate());
        }
        print(rows);
    }

    /**
     * Runs one client count: a saturated phase of {@code seconds}, then latency at half the slowest client's
     * saturated rate. The server runs in this JVM; its CPU time is this process's, less the generator thread's.
     */
    public static Row run(int clients, int seconds) throws Exception {
        InMemoryChangeLog changeLog = new InMemoryChangeLog();
        changeLog.startHistory("bench", Lsn.ZERO);
        ChangeFeed feed = new ChangeFeed();
        TestCapture capture = new TestCapture(changeLog, feed);
        try (SyncServer server = startServer(changeLog, feed, clients)) {
            long heapBefore = usedHeapAfterGc();
            Process fleet = startFleet(server.port(), clients);
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(fleet.getInputStream(), StandardCharsets.UTF_8));
                Writer in = new OutputStreamWriter(fleet.getOutputStream(), StandardCharsets.UTF_8);
                expect(out, "READY");
                long heapPerClient = (usedHeapAfterGc() - heapBefore) / clients;
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                long processCpu = processCpuNanos();
                long generatorCpu = threads.getCurrentThreadCpuTime();
                in.write("GO\n");
                in.flush();
                generate(changeLog, capture, Duration.ofSeconds(seconds), 0);
                long serverCpu = processCpuNanos() - processCpu - (threads.getCurrentThreadCpuTime() - generatorCpu);
                in.write("STOP\n");
                in.flush();
                Phase throughput = Phase.parse(out.readLine());
                // Let the clients drain what the saturated phase left queued, then offer half the saturated rate.
                int txPerSecond = Math.max(1, (int) (LATENCY_LOAD * throughput.minPerClient() / throughput.seconds()
                        / CHANGES_PER_TX));
                awaitDrained(changeLog, capture);
                generate(changeLog, capture, Duration.ofSeconds(1), txPerSecond);
                in.write("GO\n");
                in.flush();
                generate(changeLog, capture, Duration.ofSeconds(Math.min(LATENCY_SECONDS, seconds)), txPerSecond);
                in.write("STOP\n");
                in.flush();
                Phase latency = Phase.parse(out.readLine());
                in.close();
                return Row.of(clients, throughput, latency, heapPerClient, txPerSecond * CHANGES_PER_TX, serverCpu);
            } finally {
                if (!fleet.waitFor(30, TimeUnit.SECONDS)) {
                    fleet.destroyForcibly();
                }
            }
        }
    }

    /**
     * Idle connections held by one server.
     *
     * @param clients connected, welcomed WebSocket clients that receive nothing
     * @param heapBefore the server JVM's used heap after GC before they connected
     * @param heapAfter the same once all were welcomed
     */
    public record Idle(int clients, long heapBefore, long heapAfter) {

        /** Server heap per connection, in bytes. */
        public double heapPerConnection() {
            return (double) (heapAfter - heapBefore) / clients;
        }
    }

    /**
     * Connects {@code clients} WebSocket clients (raw Netty channels in a separate JVM, each with hello and
     * acks, as in the fan-out) to a server in this JVM, and measures the server's heap after GC before and
     * after. The server's change log is in memory and nothing is committed: the clients stay idle.
     */
    public static Idle idle(int clients) throws Exception {
        InMemoryChangeLog changeLog = new InMemoryChangeLog();
        changeLog.startHistory("bench", Lsn.ZERO);
        ChangeFeed feed = new ChangeFeed();
        try (SyncServer server = startServer(changeLog, feed, clients)) {
            long heapBefore = usedHeapAfterGc();
            Process fleet = startFleet(server.port(), clients);
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(fleet.getInputStream(), StandardCharsets.UTF_8));
                expect(out, "READY");
                long heapAfter = usedHeapAfterGc();
                fleet.getOutputStream().close();
                return new Idle(clients, heapBefore, heapAfter);
            } finally {
                if (!fleet.waitFor(60, TimeUnit.SECONDS)) {
                    fleet.destroyForcibly();
                }
            }
        }
    }

    private static SyncServer startServer(InMemoryChangeLog changeLog, ChangeFeed feed, int clients) {
        SyncServerConfig config = new SyncServerConfig(
                HttpConfig.builder().bindAddress("127.0.0.1").port(0).maxConnections(clients + 10).build(),
                HubConfig.builder().progressFlushInterval(Duration.ofMillis(20)).window(Integer.getInteger("window", 8)).build(),
                AuthConfig.disabled());
        return SyncServer.create(config, changeLog, feed, new SimpleMeterRegistry()).start();
    }

    private static Process startFleet(int port, int clients) throws java.io.IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), ClientFleet.class.getName(),
                Integer.toString(port), Integer.toString(clients))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * Commits transactions until {@code duration} passed, staying at most MAX_AHEAD ahead of the slowest
     * client; at {@code txPerSecond} when positive, else as fast as the clients allow.
     */
    private static void generate(InMemoryChangeLog changeLog, TestCapture capture, Duration duration, int txPerSecond) {
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        long nextTrim = System.nanoTime();
        Lsn slowest = Lsn.ZERO;
        long nextProgress = 0;
        int tx = 0;
        while (System.nanoTime() < deadline) {
            if (System.nanoTime() >= nextProgress) {
                slowest = slowestAcked(changeLog);
                nextProgress = System.nanoTime() + 5_000_000;
            }
            if (txPerSecond > 0 && System.nanoTime() < start + tx * 1_000_000_000L / txPerSecond) {
                LockSupport.parkNanos(100_000);
                continue;
            }
            if (capture.position().value() - slowest.value() > (long) MAX_AHEAD * 0x100) {
                LockSupport.parkNanos(200_000);
                nextProgress = 0;
                continue;
            }
            Instant now = Instant.now();
            List<Change> changes = new ArrayList<>(CHANGES_PER_TX);
            for (int i = 0; i < CHANGES_PER_TX; i++) {
                String id = "e" + (tx * CHANGES_PER_TX + i) % 100_000;
                changes.add(Change.update("bench", id, "{\"id\":\"" + id + "\",\"price\":12.5,\"name\":\"item " + i
                        + "\",\"tags\":[\"a\",\"b\"]}", now));
            }
            capture.commit(changes);
            tx++;
            if (System.nanoTime() >= nextTrim && slowest.value() > 0) {
                changeLog.trim(slowest);
                nextTrim = System.nanoTime() + 1_000_000_000L;
            }
        }
    }

    /** Waits (up to a minute) until every client acknowledged everything committed. */
    private static void awaitDrained(InMemoryChangeLog changeLog, TestCapture capture) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (slowestAcked(changeLog).isBefore(capture.position()) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static Lsn slowestAcked(InMemoryChangeLog changeLog) {
        List<ClientProgress> progress = changeLog.progress();
        Lsn slowest = null;
        for (ClientProgress row : progress) {
            if (row.connected() && (slowest == null || row.ackedLsn().isBefore(slowest))) {
                slowest = row.ackedLsn();
            }
        }
        return slowest == null ? Lsn.ZERO : slowest;
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void expect(BufferedReader out, String word) throws java.io.IOException {
        String line = out.readLine();
        if (!word.equals(line)) {
            throw new IllegalStateException("client fleet said " + line + ", expected " + word);
        }
    }

    private static void print(List<Row> rows) {
        Row single = rows.stream().filter(r -> r.clients() == 1).findFirst().orElseThrow();
        System.out.println();
        System.out.println("Hub fan-out, in-memory change log, loopback, " + CHANGES_PER_TX + " changes per transaction;"
                + " rates saturated (closed loop); latency from publish to client receipt at half the slowest"
                + " client's saturated rate");
        System.out.println("| clients | changes/s per client (median) | min client | total changes/s | per client vs 1 client"
                + " | latency offered load (changes/s per client) | latency p50 | latency p99 | server heap per client"
                + " | server CPU per delivery |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Row row : rows) {
            System.out.printf(Locale.ROOT, "| %d | %,.0f | %,.0f | %,.0f | %.2f | %,d | %.1f ms | %.1f ms | %,d B | %.2f µs |%n",
                    row.clients(), row.perClientRate(), row.minPerClient() / row.seconds(), row.totalRate(),
                    row.perClientRate() / single.perClientRate(), row.offeredChangesPerSecond(),
                    row.p50Micros() / 1000.0, row.p99Micros() / 1000.0, row.heapPerClient(),
                    row.serverCpuMicrosPerDelivery());
        }
    }
}
