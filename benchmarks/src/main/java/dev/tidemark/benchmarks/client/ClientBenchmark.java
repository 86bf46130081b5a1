package dev.tidemark.benchmarks.client;

import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.client.testing.ScriptedServer;
import dev.tidemark.client.testing.Transaction;
import dev.tidemark.client.testing.Workload;
import dev.tidemark.protocol.AckStatus;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.SyncAck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * End-to-end throughput and latency of the client: a {@link ScriptedServer} on loopback streams a
 * history to a {@link TidemarkClient}, which applies it to a real SQLite store and acknowledges each
 * batch after its commit. Printed beside the store's own apply rate for the same batches, measured
 * in the same run (and the store's apply rate with the client's per-batch pending marker), so the
 * ratio shows what the transport and applier cost on top of the store.
 *
 * <p>Latency is measured at a moderate fixed rate: from the moment a transaction is appended to the
 * server's history (its "source commit") to the moment the server receives the {@code sync_ack}
 * covering it — the store committed it and said so.
 *
 * <p>Everything runs in one JVM; the scripted server's encoding competes with the client for the
 * same cores, so the end-to-end figure is a lower bound of the client alone.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -q -o -pl benchmarks -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) dev.tidemark.benchmarks.client.ClientBenchmark \
 *     [changes=200000] [tx=10] [batch=500] [rate=2000] [seconds=10] [durability=full] [rounds=3]
 * </pre>
 */
public final class ClientBenchmark {

    private ClientBenchmark() {}

    /** The benchmark's settings, from {@code key=value} arguments. */
    record Settings(int changes, int txSize, int batchMax, int rate, int seconds, String durability, int rounds) {

        static Settings parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>(Map.of("changes", "200000", "tx", "10", "batch", "500",
                    "rate", "2000", "seconds", "10", "durability", "full", "rounds", "3"));
            for (String arg : args) {
                String[] pair = arg.split("=", 2);
                if (pair.length != 2 || !values.containsKey(pair[0])) {
                    throw new IllegalArgumentException("unknown argument '" + arg + "'; expected key=value with key one of "
                            + values.keySet());
                }
                values.put(pair[0], pair[1]);
            }
            return new Settings(Integer.parseInt(values.get("changes")), Integer.parseInt(values.get("tx")),
                    Integer.parseInt(values.get("batch")), Integer.parseInt(values.get("rate")),
                    Integer.parseInt(values.get("seconds")), values.get("durability"),
                    Integer.parseInt(values.get("rounds")));
        }
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Settings settings = Settings.parse(args);
        Path dir = Files.createTempDirectory("tidemark-client-bench");
        System.out.printf(Locale.ROOT, "client benchmark: %,d changes in transactions of %d, batches of up to %d changes,"
                        + " SQLite durability=%s, %d cores, load average %.1f%n", settings.changes(), settings.txSize(),
                settings.batchMax(), settings.durability(), Runtime.getRuntime().availableProcessors(), loadAverage());
        int transactions = settings.changes() / settings.txSize();
        List<List<Change>> warmUp = Workload.standard(1).transactions(transactions, settings.txSize());
        List<List<Change>> measured = Workload.standard(2).transactions(transactions, settings.txSize());

        // Warm the JIT on every path (twice: the end-to-end path alone is long), then measure each on a fresh file.
        for (int round = 0; round < 2; round++) {
            storeApply(settings, warmUp, dir.resolve("warm-store-" + round + ".db"), false);
            storeApply(settings, warmUp, dir.resolve("warm-pending-" + round + ".db"), true);
            endToEnd(settings, warmUp, dir.resolve("warm-e2e-" + round + ".db"));
        }

        // Rounds alternate the three measurements so that drift (page cache, other load) hits all alike;
        // the median of each is reported.
        List<Measurement> store = new ArrayList<>();
        List<Measurement> pending = new ArrayList<>();
        List<Measurement> endToEnd = new ArrayList<>();
        for (int round = 0; round < settings.rounds(); round++) {
            store.add(storeApply(settings, measured, dir.resolve("store-" + round + ".db"), false));
            pending.add(storeApply(settings, measured, dir.resolve("pending-" + round + ".db"), true));
            endToEnd.add(endToEnd(settings, measured, dir.resolve("e2e-" + round + ".db")));
            System.out.printf(Locale.ROOT, "round %d: store %,.0f  store+pending %,.0f  end to end %,.0f changes/s;"
                            + " CPU µs/change: store %.2f, client applier %.2f, client transport %.2f, server %.2f%n",
                    round + 1, store.get(round).rate(), pending.get(round).rate(), endToEnd.get(round).rate(),
                    store.get(round).cpuMicrosPerChange().get("store"), cpu(endToEnd.get(round), "applier"),
                    cpu(endToEnd.get(round), "transport"), cpu(endToEnd.get(round), "server"));
        }
        Latency latency = latency(settings, dir.resolve("latency.db"));

        System.out.printf(Locale.ROOT, "load average after the run: %.1f (other processes share these cores)%n", loadAverage());
        System.out.println();
        System.out.println("| measurement (same batches, same run; median of " + settings.rounds()
                + " rounds) | changes/s | ratio to store apply |");
        System.out.println("|---|---:|---:|");
        double storeRate = median(store, Measurement::rate);
        row("store apply alone (baseline)", storeRate, storeRate);
        row("store recordPending + apply (the applier's writes)", median(pending, Measurement::rate), storeRate);
        row("end to end: scripted server → client → SQLite, acked", median(endToEnd, Measurement::rate), storeRate);
        System.out.println();
        System.out.println("| stage (CPU time, independent of other load; median) | CPU µs per change | ratio to store apply |");
        System.out.println("|---|---:|---:|");
        double storeCpu = median(store, m -> m.cpuMicrosPerChange().get("store"));
        double applierCpu = median(endToEnd, m -> cpu(m, "applier"));
        double transportCpu = median(endToEnd, m -> cpu(m, "transport"));
        cpuRow("store apply alone (one thread)", storeCpu, storeCpu);
        cpuRow("store recordPending + apply", median(pending, m -> m.cpuMicrosPerChange().get("store")), storeCpu);
        cpuRow("client applier thread (pending marker, store apply, acks)", applierCpu, storeCpu);
        cpuRow("client transport thread (UTF-8, JSON decode, checksum, flow control)", transportCpu, storeCpu);
        cpuRow("scripted server (encode, send; not the client)", median(endToEnd, m -> cpu(m, "server")), storeCpu);
        System.out.printf(Locale.ROOT, "with the client's two stages on cores of their own, its ceiling is the busier"
                + " stage: %.2f of the store's own rate%n", storeCpu / Math.max(applierCpu, transportCpu));
        System.out.println();
        System.out.printf(Locale.ROOT, "latency at %,d changes/s offered (%d tx/s of %d) for %d s, %,d transactions:"
                        + " source append → sync_ack at the server: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                settings.rate(), settings.rate() / settings.txSize(), settings.txSize(), settings.seconds(),
                latency.count(), latency.p50Millis(), latency.p99Millis(), latency.maxMillis());
        deleteAll(dir);
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static void row(String name, double rate, double baseline) {
        System.out.printf(Locale.ROOT, "| %s | %,.0f | %.2f |%n", name, rate, rate / baseline);
    }

    private static SyncStore sqlite(Settings settings, Path file) {
        return SyncStores.open("sqlite", Map.of("path", file.toString(), "durability", settings.durability()));
    }

    /** Groups transactions into batches the way the scripted server does. */
    private static List<ChangeBatch> batches(List<Transaction> transactions, int batchMax) {
        List<ChangeBatch> batches = new ArrayList<>();
        Lsn prev = Lsn.ZERO;
        List<Change> changes = new ArrayList<>();
        Lsn end = null;
        for (Transaction transaction : transactions) {
            if (!changes.isEmpty() && changes.size() + transaction.changes().size() > batchMax) {
                batches.add(new ChangeBatch("b" + batches.size(), prev, end, changes));
                prev = end;
                changes = new ArrayList<>();
            }
            changes.addAll(transaction.changes());
            end = transaction.lsn();
            if (changes.size() >= batchMax) {
                batches.add(new ChangeBatch("b" + batches.size(), prev, end, changes));
                prev = end;
                changes = new ArrayList<>();
            }
        }
        if (!changes.isEmpty()) {
            batches.add(new ChangeBatch("b" + batches.size(), prev, end, changes));
        }
        return batches;
    }

    /** The store's own rate: the same batches applied directly, optionally with the pending marker before each. */
    private static Measurement storeApply(Settings settings, List<List<Change>> transactions, Path file,
                                          boolean pendingMarker) {
        List<Transaction> history = new ArrayList<>();
        long lsn = 0x1000000;
        for (List<Change> changes : transactions) {
            lsn += 0x100;
            history.add(new Transaction(Lsn.of(lsn), changes));
        }
        List<ChangeBatch> batches = batches(history, settings.batchMax());
        long changes = transactions.stream().mapToLong(List::size).sum();
        try (SyncStore store = sqlite(settings, file)) {
            store.resetHistory("bench");
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            for (ChangeBatch batch : batches) {
                if (pendingMarker) {
                    store.recordPending(batch.lsn());
                }
                if (!store.apply(batch).applied()) {
                    throw new IllegalStateException("the store did not apply " + batch.batchId());
                }
            }
            double rate = changes / ((System.nanoTime() - start) / 1e9);
            double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e3 / changes;
            return new Measurement(rate, Map.of("store", cpu));
        }
    }

    /** The client's rate: from start to every change applied and acknowledged. */
    private static Measurement endToEnd(Settings settings, List<List<Change>> transactions, Path file) throws Exception {
        Set<Long> before = liveThreads();
        try (ScriptedServer server = ScriptedServer.builder().batchMaxChanges(settings.batchMax())
                .partMaxChanges(Math.max(settings.batchMax(), 500)).startLsn(Lsn.parse("0/1000000")).start()) {
            server.history().appendAll(transactions);
            Lsn head = server.history().head();
            long changes = server.history().changeCount();
            CompletableFuture<Long> headAcked = new CompletableFuture<>();
            server.onReceive(recorded -> {
                if (recorded.message() instanceof SyncAck ack && ack.status() == AckStatus.SUCCESS
                        && ack.lsn().equals(head)) {
                    headAcked.complete(System.nanoTime());
                }
            });
            try (SyncStore store = sqlite(settings, file)) {
                long start = System.nanoTime();
                try (TidemarkClient client = TidemarkClient.builder().serverUri(server.uri()).store(store).build().start()) {
                    long end = headAcked.get(10, TimeUnit.MINUTES);
                    double rate = changes / ((end - start) / 1e9);
                    Map<String, Double> cpu = cpuSince(before, changes);
                    if (!store.committedLsn().equals(head)
                            || store.committedChecksum() != server.history().checksumUpTo(head)) {
                        throw new IllegalStateException("the client did not converge");
                    }
                    return new Measurement(rate, cpu);
                }
            }
        }
    }

    /** A rate, and the CPU time each stage spent per change. */
    record Measurement(double rate, Map<String, Double> cpuMicrosPerChange) {}

    /** The threads of each stage, by name. */
    private static String stage(String threadName) {
        if (threadName.startsWith("tidemark-applier")) {
            return "applier";
        }
        if (threadName.startsWith("tidemark-transport")) {
            return "transport";
        }
        if (threadName.startsWith("scripted-server")) {
            return "server";
        }
        return null;
    }

    private static Set<Long> liveThreads() {
        return Arrays.stream(ManagementFactory.getThreadMXBean().getAllThreadIds()).boxed().collect(Collectors.toSet());
    }

    /** CPU time of the threads started since {@code before}, by stage, in µs per change. */
    private static Map<String, Double> cpuSince(Set<Long> before, long changes) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Double> cpu = new TreeMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null || before.contains(info.getThreadId())) {
                continue;
            }
            String stage = stage(info.getThreadName());
            long nanos = threads.getThreadCpuTime(info.getThreadId());
            if (stage != null && nanos > 0) {
                cpu.merge(stage, nanos / 1e3 / changes, Double::sum);
            }
        }
        return cpu;
    }

    /** Latencies of one run. */
    record Latency(int count, double p50Millis, double p99Millis, double maxMillis) {}

    private static Latency latency(Settings settings, Path file) throws Exception {
        Workload workload = Workload.standard(3);
        ConcurrentSkipListMap<Lsn, Long> appended = new ConcurrentSkipListMap<>();
        List<Long> latencies = new ArrayList<>();
        AtomicInteger expected = new AtomicInteger(-1);
        CompletableFuture<Void> allAcked = new CompletableFuture<>();
        AtomicInteger ackedTransactions = new AtomicInteger();
        try (ScriptedServer server = ScriptedServer.builder().batchMaxChanges(settings.batchMax()).start();
             SyncStore store = sqlite(settings, file);
             TidemarkClient client = TidemarkClient.builder().serverUri(server.uri()).store(store).build().start()) {
            server.onReceive(recorded -> {
                if (recorded.message() instanceof SyncAck ack && ack.status() == AckStatus.SUCCESS) {
                    long now = System.nanoTime();
                    int count;
                    synchronized (appended) {
                        Map<Lsn, Long> covered = appended.headMap(ack.lsn(), true);
                        covered.values().forEach(at -> latencies.add(now - at));
                        count = covered.size();
                        covered.clear();
                    }
                    if (ackedTransactions.addAndGet(count) == expected.get()) {
                        allAcked.complete(null);
                    }
                }
            });
            client.caughtUp().get(1, TimeUnit.MINUTES);
            int perSecond = Math.max(1, settings.rate() / settings.txSize());
            int total = perSecond * settings.seconds();
            expected.set(total);
            List<List<Change>> transactions = workload.transactions(total, settings.txSize());
            AtomicInteger next = new AtomicInteger();
            ScheduledExecutorService producer = Executors.newSingleThreadScheduledExecutor();
            long period = TimeUnit.SECONDS.toNanos(1) / perSecond;
            producer.scheduleAtFixedRate(() -> {
                int index = next.getAndIncrement();
                if (index >= total) {
                    return;
                }
                // The ack handler takes the same lock, so it sees the time of every transaction an ack can cover.
                synchronized (appended) {
                    long at = System.nanoTime();
                    appended.put(server.history().append(transactions.get(index)).lsn(), at);
                }
            }, 0, period, TimeUnit.NANOSECONDS);
            try {
                allAcked.get(settings.seconds() + 60L, TimeUnit.SECONDS);
            } finally {
                producer.shutdownNow();
            }
        }
        long[] sorted;
        synchronized (appended) {
            sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        if (sorted.length == 0) {
            throw new IllegalStateException("no latency measured");
        }
        return new Latency(sorted.length, percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    private static double cpu(Measurement measurement, String stage) {
        return measurement.cpuMicrosPerChange().getOrDefault(stage, 0.0);
    }

    private static void cpuRow(String name, double micros, double baseline) {
        System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f |%n", name, micros, micros / baseline);
    }

    private static double median(List<Measurement> measurements, ToDoubleFunction<Measurement> value) {
        double[] sorted = measurements.stream().mapToDouble(value).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static void deleteAll(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(path -> path.toFile().delete());
        }
    }
}
