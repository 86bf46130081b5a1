package dev.tidemark.benchmarks.store;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How fast each store applies batches, beside a baseline measured in the same run: the same rows
 * written with plain JDBC batch inserts, one transaction per batch, no LSN bookkeeping, same
 * durability. Prints one table per store (batch sizes 100 and 1,000, sequential and random UUID ids)
 * and, unless {@code --no-extras}: the cost of the pending marker, SQLite's table layouts under random
 * keys, and jOOQ against plain JDBC on the hot path. Every figure is the median of {@code --reps} runs.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
 *     dev.tidemark.benchmarks.store.StoreApplyBenchmark [options]
 * </pre>
 */
public final class StoreApplyBenchmark {

    private static final int[] BATCH_SIZES = {100, 1000};

    private final BenchOptions options;
    private final PrintStream out;

    StoreApplyBenchmark(BenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            // HikariCP and the embedded PostgreSQL log every start and stop; only warnings matter here
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        new StoreApplyBenchmark(options, System.out).run();
    }

    void run() throws Exception {
        out.printf("Store apply benchmark: %,d changes per run, median of %d runs, durability %s, %d cores, Java %s%n",
                options.changes(), options.reps(), options.durability(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        for (String store : options.stores()) {
            try (Target target = store.equals("sqlite")
                    ? new SqliteTarget(options.durability())
                    : new PostgresTarget(options.pgUrl(), options.durability())) {
                measure(target);
            }
        }
    }

    private void measure(Target target) throws Exception {
        Measure measure = new Measure(target);
        warmUp(measure);
        out.printf("%n%s store against plain JDBC batch inserts%n", target.storeName());
        out.printf("%-8s %6s  %-12s %14s %14s %7s%n", "store", "batch", "ids", "store ch/s", "baseline ch/s", "ratio");
        List<Workload> workloads = new ArrayList<>();
        for (int batchSize : BATCH_SIZES) {
            for (KeyKind keys : KeyKind.values()) {
                Workload workload = Workload.of(batchSize, keys, options.changes());
                workloads.add(workload);
                double[] store = new double[options.reps()];
                double[] baseline = new double[options.reps()];
                for (int rep = 0; rep < options.reps(); rep++) {
                    baseline[rep] = measure.baseline(workload, Target.Layout.STORE);
                    store[rep] = measure.store(workload, false);
                }
                double s = median(store);
                double b = median(baseline);
                out.printf("%-8s %6d  %-12s %,14.0f %,14.0f %7.2f%n", target.storeName(), batchSize, keys.label, s, b, s / b);
            }
        }
        if (options.extras()) {
            pendingMarker(target, measure, workloads.get(0));
            if (target.storeName().equals("sqlite")) {
                layouts(measure);
            }
            jooq(target, measure, workloads.get(2));
        }
    }

    /** JIT and caches: one small run of each kind, not reported. */
    private void warmUp(Measure measure) throws Exception {
        Workload small = Workload.of(100, KeyKind.SEQUENTIAL, Math.min(options.changes(), 20_000));
        measure.store(small, true);
        measure.baseline(small, Target.Layout.STORE);
        measure.jooq(small);
    }

    private void pendingMarker(Target target, Measure measure, Workload batches100) throws Exception {
        double[] micros = new double[options.reps()];
        double[] without = new double[options.reps()];
        double[] with = new double[options.reps()];
        for (int rep = 0; rep < options.reps(); rep++) {
            micros[rep] = measure.recordPendingMicros(1000);
            without[rep] = measure.store(batches100, false);
            with[rep] = measure.store(batches100, true);
        }
        out.printf("%n%s pending marker (recordPending before every apply, as the client does)%n", target.storeName());
        out.printf("recordPending: %.0f µs per call; apply of 100-change batches: %,.0f ch/s without, %,.0f ch/s with"
                + " the marker (%.2f)%n", median(micros), median(without), median(with), median(with) / median(without));
    }

    private void layouts(Measure measure) throws Exception {
        out.printf("%nsqlite table layout, plain JDBC inserts: rowid table + unique index (the store's) against"
                + " WITHOUT ROWID clustered on (type, id)%n");
        out.printf("%6s  %-12s %14s %16s %7s%n", "batch", "ids", "rowid ch/s", "clustered ch/s", "ratio");
        for (int batchSize : BATCH_SIZES) {
            for (KeyKind keys : KeyKind.values()) {
                Workload workload = Workload.of(batchSize, keys, options.changes());
                double[] rowid = new double[options.reps()];
                double[] clustered = new double[options.reps()];
                for (int rep = 0; rep < options.reps(); rep++) {
                    clustered[rep] = measure.baseline(workload, Target.Layout.CLUSTERED);
                    rowid[rep] = measure.baseline(workload, Target.Layout.STORE);
                }
                out.printf("%6d  %-12s %,14.0f %,16.0f %7.2f%n", batchSize, keys.label, median(rowid), median(clustered),
                        median(rowid) / median(clustered));
            }
        }
    }

    private void jooq(Target target, Measure measure, Workload workload) throws Exception {
        double[] jdbc = new double[options.reps()];
        double[] jooq = new double[options.reps()];
        for (int rep = 0; rep < options.reps(); rep++) {
            jooq[rep] = measure.jooq(workload);
            jdbc[rep] = measure.baseline(workload, Target.Layout.STORE);
        }
        out.printf("%n%s hot path, the same inserts (batches of %d, %s ids): plain JDBC %,.0f ch/s, jOOQ batch %,.0f ch/s"
                + " (%.2f)%n", target.storeName(), workload.batchSize(), workload.keys().label, median(jdbc), median(jooq),
                median(jooq) / median(jdbc));
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
