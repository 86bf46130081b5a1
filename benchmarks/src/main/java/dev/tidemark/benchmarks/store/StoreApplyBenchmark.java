package dev.tidemark.benchmarks.store;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * How fast each store applies batches, beside a baseline measured in the same run: the same rows
 * written with plain JDBC batch inserts, one transaction per batch, no LSN bookkeeping, same
 * durability. Prints one table per store (batch sizes 100 and 1,000, sequential and random UUID ids)
 * and, unless {@code --no-extras}: the cost of the pending marker, SQLite's table layouts under random
 * keys, and jOOQ against plain JDBC on the hot path. Contenders run paired, batch by batch
 * ({@link Measure}); every rate is the median of {@code --reps} runs and every ratio the median of the
 * runs' ratios.
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
        Measure.Contender store = measure.store(false);
        Measure.Contender baseline = measure.baseline(Target.Layout.STORE);
        measure.paired(Workload.of(100, KeyKind.SEQUENTIAL, Math.min(options.changes(), 20_000)), store, baseline);

        out.printf("%n%s store against plain JDBC batch inserts%n", target.storeName());
        out.printf("%-8s %6s  %-12s %14s %14s %7s%n", "store", "batch", "ids", "store ch/s", "baseline ch/s", "ratio");
        for (int batchSize : BATCH_SIZES) {
            for (KeyKind keys : KeyKind.values()) {
                double[] rates = medians(Workload.of(batchSize, keys, options.changes()), measure, store, baseline);
                out.printf("%-8s %6d  %-12s %,14.0f %,14.0f %7.2f%n", target.storeName(), batchSize, keys.label,
                        rates[0], rates[1], rates[2]);
            }
        }
        if (options.extras()) {
            pendingMarker(target, measure);
            if (target.storeName().equals("sqlite")) {
                layouts(measure);
            }
            jooq(target, measure);
        }
    }

    /**
     * Over {@code --reps} paired runs: the median rate of {@code a}, of {@code b}, and the median of
     * the runs' ratios a ÷ b (each run's two rates were measured side by side, so their ratio is the
     * steadier figure on a busy machine).
     */
    private double[] medians(Workload workload, Measure measure, Measure.Contender a, Measure.Contender b)
            throws Exception {
        double[] ratesA = new double[options.reps()];
        double[] ratesB = new double[options.reps()];
        double[] ratios = new double[options.reps()];
        for (int rep = 0; rep < options.reps(); rep++) {
            double[] rates = measure.paired(workload, a, b);
            ratesA[rep] = rates[0];
            ratesB[rep] = rates[1];
            ratios[rep] = rates[0] / rates[1];
        }
        return new double[] {median(ratesA), median(ratesB), median(ratios)};
    }

    private void pendingMarker(Target target, Measure measure) throws Exception {
        double[] micros = new double[options.reps()];
        for (int rep = 0; rep < options.reps(); rep++) {
            micros[rep] = measure.recordPendingMicros(1000);
        }
        out.printf("%n%s pending marker: recordPending %.0f µs per call (one small durable commit)%n",
                target.storeName(), median(micros));
        out.printf("%6s  %-12s %18s %18s %7s%n", "batch", "ids", "apply ch/s", "marker+apply ch/s", "ratio");
        for (int batchSize : BATCH_SIZES) {
            Workload workload = Workload.of(batchSize, KeyKind.SEQUENTIAL, options.changes());
            double[] rates = medians(workload, measure, measure.store(true), measure.store(false));
            out.printf("%6d  %-12s %,18.0f %,18.0f %7.2f%n", batchSize, workload.keys().label, rates[1], rates[0],
                    rates[2]);
        }
    }

    private void layouts(Measure measure) throws Exception {
        out.printf("%nsqlite table layout, plain JDBC inserts: rowid table + unique index (the store's) against"
                + " WITHOUT ROWID clustered on (type, id)%n");
        out.printf("%6s  %-12s %14s %16s %7s%n", "batch", "ids", "rowid ch/s", "clustered ch/s", "ratio");
        for (int batchSize : BATCH_SIZES) {
            for (KeyKind keys : KeyKind.values()) {
                double[] rates = medians(Workload.of(batchSize, keys, options.changes()), measure,
                        measure.baseline(Target.Layout.STORE), measure.baseline(Target.Layout.CLUSTERED));
                out.printf("%6d  %-12s %,14.0f %,16.0f %7.2f%n", batchSize, keys.label, rates[0], rates[1],
                        rates[2]);
            }
        }
    }

    private void jooq(Target target, Measure measure) throws Exception {
        out.printf("%n%s hot path, the same inserts through plain JDBC and through jOOQ's batch API%n", target.storeName());
        out.printf("%6s  %-12s %14s %14s %7s%n", "batch", "ids", "JDBC ch/s", "jOOQ ch/s", "ratio");
        for (int batchSize : BATCH_SIZES) {
            Workload workload = Workload.of(batchSize, KeyKind.SEQUENTIAL, options.changes());
            double[] rates = medians(workload, measure, measure.jooq(), measure.baseline(Target.Layout.STORE));
            out.printf("%6d  %-12s %,14.0f %,14.0f %7.2f%n", batchSize, workload.keys().label, rates[1], rates[0],
                    rates[2]);
        }
    }

    /**
     * Rates of one store against plain JDBC batch inserts, paired, for {@code ./tidemark bench}.
     *
     * @param rates changes/s of the store with the pending marker as the client keeps it (once, then kept by each
     *     batch's commit, for a store that can keep it; before each batch otherwise),
     *     of the store alone, and of the JDBC baseline; medians of {@code reps} runs
     * @param markerRatio median of the runs' ratios store-with-marker ÷ baseline
     * @param applyRatio median of the runs' ratios store-alone ÷ baseline
     */
    public record Figures(double withMarker, double apply, double baseline, double markerRatio, double applyRatio) {}

    /**
     * Measures {@code store} ({@code sqlite} or {@code postgres}, an embedded PostgreSQL for the latter) with
     * batches of {@code batchSize} sequential-key inserts, {@code changes} per run, median of {@code reps}:
     * with the pending marker, without it, and the plain JDBC baseline, each run paired against the baseline.
     */
    public static Figures measureAgainstJdbc(String store, String durability, int batchSize, int changes, int reps)
            throws Exception {
        try (Target target = store.equals("sqlite") ? new SqliteTarget(durability) : new PostgresTarget(null, durability)) {
            Measure measure = new Measure(target);
            Measure.Contender baseline = measure.baseline(Target.Layout.STORE);
            Workload workload = Workload.of(batchSize, KeyKind.SEQUENTIAL, changes);
            measure.paired(Workload.of(batchSize, KeyKind.SEQUENTIAL, Math.min(changes, 5_000)), measure.store(true),
                    baseline);
            double[] marker = new double[reps];
            double[] apply = new double[reps];
            double[] base = new double[reps];
            double[] markerRatio = new double[reps];
            double[] applyRatio = new double[reps];
            for (int rep = 0; rep < reps; rep++) {
                double[] withMarker = measure.paired(workload, measure.store(true), baseline);
                double[] alone = measure.paired(workload, measure.store(false), baseline);
                marker[rep] = withMarker[0];
                apply[rep] = alone[0];
                base[rep] = (withMarker[1] + alone[1]) / 2;
                markerRatio[rep] = withMarker[0] / withMarker[1];
                applyRatio[rep] = alone[0] / alone[1];
            }
            return new Figures(median(marker), median(apply), median(base), median(markerRatio), median(applyRatio));
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
