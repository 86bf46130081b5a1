package dev.tidemark.benchmarks.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tidemark.benchmarks.tpcb.PgbenchLocator;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./tidemark bench}: runs every hop's benchmark (store apply, capture, change-log read, hub fan-out, end to
 * end catch-up and latency, lag under pgbench's TPC-B, idle connections) with sizes that finish in under ten minutes
 * on two cores, and prints one table of figure | value | baseline of the same run | ratio | target, and writes the
 * same figures as JSON.
 * A hop that cannot run on this machine (tpcb without pgbench) is skipped with one line saying why.
 * Progress and each benchmark's own output go to standard error; the table goes to standard output.
 *
 * <pre>
 * ./tidemark bench [--quick] [--only capture,e2e] [--json path] [sizes...]   (./tidemark bench --help)
 * </pre>
 */
public final class Bench {

    private final BenchSettings settings;
    private final PrintStream out;
    private final PrintStream log;
    private final PgbenchLocator pgbench;

    /** What one run measured. */
    record Report(Instant started, double seconds, double loadBefore, double loadAfter, List<Figure> figures,
                  Map<String, String> failures, Map<String, String> skipped, Path json) {}

    Bench(BenchSettings settings, PrintStream out, PrintStream log) {
        this(settings, out, log, PgbenchLocator.ofSystem());
    }

    /** With {@code pgbench} finding the program of the tpcb hop (a test's stand-in for the machine). */
    Bench(BenchSettings settings, PrintStream out, PrintStream log, PgbenchLocator pgbench) {
        this.settings = settings;
        this.out = out;
        this.log = log;
        this.pgbench = pgbench;
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        BenchSettings settings;
        try {
            settings = BenchSettings.parse(args);
        } catch (BenchSettings.HelpRequested help) {
            System.out.println(help.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("tidemark bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Report report = new Bench(settings, System.out, System.err).run();
        System.exit(report.failures().isEmpty() ? 0 : 1);
    }

    Report run() throws IOException {
        Instant started = Instant.now();
        double loadBefore = loadAverage();
        long start = System.nanoTime();
        log.printf(Locale.ROOT, "tidemark bench: hops %s, %d cores, load average %.2f, Java %s%n",
                String.join(",", settings.hops()), Runtime.getRuntime().availableProcessors(), loadBefore,
                System.getProperty("java.version"));
        Hops hops = new Hops(settings, log, pgbench);
        List<Figure> figures = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (String hop : settings.hops()) {
            long hopStart = System.nanoTime();
            log.printf("%n== %s ==%n", hop);
            try {
                figures.addAll(hops.run(hop));
            } catch (Hops.Skipped e) {
                skipped.put(hop, e.getMessage());
                log.println(skipLine(hop, e.getMessage()));
            } catch (Exception | AssertionError e) {
                failures.put(hop, String.valueOf(e));
                log.printf("hop %s failed: %s%n", hop, e);
                e.printStackTrace(log);
            }
            log.printf(Locale.ROOT, "== %s done in %.1f s ==%n", hop, (System.nanoTime() - hopStart) / 1e9);
        }
        Path json = settings.json() != null ? settings.json() : Path.of("target", "bench",
                "bench-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started)
                        + ".json");
        Report report = new Report(started, (System.nanoTime() - start) / 1e9, loadBefore, loadAverage(),
                List.copyOf(figures), failures, skipped, json);
        print(report);
        writeJson(report);
        return report;
    }

    private void print(Report report) {
        out.printf(Locale.ROOT, "%nTidemark benchmarks, %s, %.0f s, %d cores, load average %.2f before and %.2f after"
                        + " (other processes share these cores)%n%n", report.started(), report.seconds(),
                Runtime.getRuntime().availableProcessors(), report.loadBefore(), report.loadAfter());
        out.println("| figure | value | baseline (same run) | ratio | target |");
        out.println("|---|---:|---:|---:|---|");
        for (Figure figure : report.figures()) {
            out.printf("| %s | %s | %s | %s | %s |%n", figure.name(), figure.valueText(), figure.baselineText(),
                    figure.ratioText(), figure.target());
        }
        report.failures().forEach((hop, error) -> out.printf("| %s: FAILED | %s | | | |%n", hop, error));
        if (!report.skipped().isEmpty()) {
            out.println();
            report.skipped().forEach((hop, reason) -> out.println(skipLine(hop, reason)));
        }
        out.printf("%nJSON: %s%n", report.json());
    }

    private void writeJson(Report report) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("started", report.started().toString());
        root.put("seconds", round(report.seconds()));
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("loadAverageBefore", round(report.loadBefore()));
        root.put("loadAverageAfter", round(report.loadAfter()));
        root.put("java", System.getProperty("java.version"));
        root.put("settings", settings.toString());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Figure figure : report.figures()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("hop", figure.hop());
            row.put("figure", figure.name());
            row.put("value", number(figure.value()));
            row.put("unit", figure.unit());
            row.put("baseline", number(figure.baseline()));
            row.put("baselineName", figure.baselineName().isEmpty() ? null : figure.baselineName());
            row.put("ratio", number(figure.ratio()));
            row.put("target", figure.target());
            rows.add(row);
        }
        root.put("figures", rows);
        root.put("failures", report.failures());
        root.put("skipped", report.skipped());
        Path json = report.json().toAbsolutePath();
        Files.createDirectories(json.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), root);
    }

    /** The line that says a hop was skipped, e.g. {@code tpcb: skipped — pgbench not found; ...}. */
    static String skipLine(String hop, String reason) {
        return hop + ": skipped — " + reason;
    }

    private static Double number(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? null : round(value);
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
