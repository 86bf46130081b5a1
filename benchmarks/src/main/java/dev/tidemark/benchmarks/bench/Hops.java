package dev.tidemark.benchmarks.bench;

import dev.tidemark.benchmarks.capture.CaptureBenchmark;
import dev.tidemark.benchmarks.changelog.ChangeLogReadBenchmark;
import dev.tidemark.benchmarks.endtoend.EndToEndBenchmark;
import dev.tidemark.benchmarks.hub.FanOutBenchmark;
import dev.tidemark.benchmarks.store.StoreApplyBenchmark;
import dev.tidemark.benchmarks.tpcb.PgbenchLocator;
import dev.tidemark.benchmarks.tpcb.TpcbBenchmark;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Each hop's benchmark, called with the command's sizes, its own output going to the log. */
final class Hops {

    /** Extra JVM options of the capture benchmark's own JVM (the main JVM's are {@code TIDEMARK_BENCH_JAVA_OPTS}). */
    static final String CAPTURE_JAVA_OPTS = "TIDEMARK_BENCH_CAPTURE_JAVA_OPTS";

    /** What each hop of the e2e latency spans, for the table. */
    private static final java.util.Map<String, String> HOP_SPANS = java.util.Map.of(
            "logged", "source commit → change-log commit",
            "received", "→ client received the batch",
            "applied", "→ client store commit");

    /** Why the tpcb hop gives no figures on a machine without pgbench. */
    static final String NO_PGBENCH = "pgbench not found; install postgresql-client or pass --pgbench PATH";

    private final BenchSettings settings;
    private final PrintStream log;
    private final PgbenchLocator pgbench;

    /** A hop that cannot run on this machine; the command goes on without its figures. */
    static final class Skipped extends Exception {
        private static final long serialVersionUID = 1L;

        Skipped(String reason) {
            super(reason, null, false, false);
        }
    }

    Hops(BenchSettings settings, PrintStream log, PgbenchLocator pgbench) {
        this.settings = settings;
        this.log = log;
        this.pgbench = pgbench;
    }

    List<Figure> run(String hop) throws Exception {
        return switch (hop) {
            case "store" -> store();
            case "capture" -> capture();
            case "changelog" -> changelog();
            case "fanout" -> fanout();
            case "e2e" -> endToEnd();
            case "tpcb" -> tpcb();
            case "idle" -> idle();
            default -> throw new IllegalArgumentException("unknown hop " + hop);
        };
    }

    private List<Figure> store() throws Exception {
        List<Figure> figures = new ArrayList<>();
        for (String store : List.of("sqlite", "postgres")) {
            String name = store.equals("sqlite") ? "SQLite" : "PostgreSQL";
            StoreApplyBenchmark.Figures result = StoreApplyBenchmark.measureAgainstJdbc(store, "full", 100,
                    settings.storeChanges(), settings.reps());
            log.printf(Locale.ROOT, "store %s: with marker %,.0f, alone %,.0f, JDBC %,.0f changes/s%n", store,
                    result.withMarker(), result.apply(), result.baseline());
            // The ratios printed are the medians of paired runs' ratios; the baseline shown is set so that
            // value ÷ baseline gives exactly that ratio.
            figures.add(new Figure("store", "store apply incl. pending marker, " + name + ", batch of 100",
                    result.withMarker(), "changes/s", result.withMarker() / result.markerRatio(),
                    "raw JDBC batch inserts", "≥ 0.9 × baseline"));
            figures.add(new Figure("store", "store apply alone, " + name + ", batch of 100", result.apply(),
                    "changes/s", result.apply() / result.applyRatio(), "raw JDBC batch inserts", "report"));
        }
        return figures;
    }

    private List<Figure> capture() throws Exception {
        double[] oneRow = captureRun(settings.captureTransactions(), 1);
        double[] hundredRows = captureRun(settings.captureChanges(), 100);
        return List.of(
                new Figure("capture", "capture of 1-row transactions", oneRow[1], "tx/s", oneRow[0],
                        "raw slot read", "≥ 0.8 × baseline"),
                new Figure("capture", "capture of 100-row transactions", hundredRows[1], "changes/s", hundredRows[0],
                        "raw slot read", "report"));
    }

    /**
     * Runs the capture benchmark in its own JVM, as its Maven profile does, and reads the rates of its table.
     *
     * @return changes/s of the raw slot read and of the capture
     */
    private double[] captureRun(int changes, int rowsPerTransaction) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        // E.g. a flight recording of the capture JVM (docs/performance.md): "%r" becomes the rows per transaction.
        String options = System.getenv().getOrDefault(CAPTURE_JAVA_OPTS, "").strip();
        if (!options.isEmpty()) {
            for (String option : options.split("\\s+")) {
                command.add(option.replace("%r", Integer.toString(rowsPerTransaction)));
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CaptureBenchmark.class.getName(),
                "--changes", Integer.toString(changes), "--rows-per-transaction", Integer.toString(rowsPerTransaction)));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        process.getOutputStream().close();
        double raw = Double.NaN;
        double capture = Double.NaN;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                log.println("  " + line);
                String[] cells = tableCells(line);
                if (cells.length >= 2 && cells[0].startsWith("raw")) {
                    raw = rate(cells);
                } else if (cells.length >= 2 && cells[0].startsWith("capture")) {
                    capture = rate(cells);
                }
            }
        }
        if (!process.waitFor(30, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("the capture benchmark did not finish in 30 minutes");
        }
        if (process.exitValue() != 0 || Double.isNaN(raw) || Double.isNaN(capture)) {
            throw new IllegalStateException("the capture benchmark (" + changes + " changes, " + rowsPerTransaction
                    + " per transaction) exited with " + process.exitValue() + " without both its raw-read and"
                    + " capture rows; its output is above");
        }
        return new double[] {raw, capture};
    }

    private static String[] tableCells(String line) {
        if (!line.startsWith("|")) {
            return new String[0];
        }
        return java.util.Arrays.stream(line.split("\\|")).map(String::trim).filter(cell -> !cell.isEmpty())
                .toArray(String[]::new);
    }

    /** The last cell of a table row, a rate such as {@code 123,456}. */
    private static double rate(String[] cells) {
        return Double.parseDouble(cells[cells.length - 1].replace(",", ""));
    }

    private List<Figure> changelog() throws Exception {
        ChangeLogReadBenchmark.Result result = ChangeLogReadBenchmark.measure(settings.changelogTransactions(), 20,
                settings.reps(), log);
        return List.of(
                new Figure("changelog", "change-log catch-up read (pages of 1,001, state read per page)",
                        result.readRate(), "changes/s", result.baselineRate(), "hand-written JDBC query", "report"),
                Figure.alone("changelog", "change-log append, one 20-change transaction per call",
                        result.appendRate(), "tx/s", "report"));
    }

    private List<Figure> fanout() throws Exception {
        FanOutBenchmark.Row single = FanOutBenchmark.run(1, settings.fanoutSeconds());
        FanOutBenchmark.Row many = FanOutBenchmark.run(settings.fanoutClients(), settings.fanoutSeconds());
        for (FanOutBenchmark.Row row : List.of(single, many)) {
            log.printf(Locale.ROOT, "fan-out %d clients: %,.0f deliveries/s, %.2f µs server CPU per delivery,"
                            + " latency p50 %.1f ms p99 %.1f ms at %,d changes/s per client%n", row.clients(),
                    row.totalRate(), row.serverCpuMicrosPerDelivery(), row.p50Micros() / 1000.0,
                    row.p99Micros() / 1000.0, row.offeredChangesPerSecond());
        }
        String clients = String.format(Locale.ROOT, "%,d clients", many.clients());
        return List.of(
                new Figure("fanout", "hub fan-out, " + clients + ": deliveries/s, all clients", many.totalRate(),
                        "changes/s", single.totalRate(), "1 client", "report"),
                new Figure("fanout", "hub fan-out, " + clients + ": server CPU per delivered change",
                        many.serverCpuMicrosPerDelivery(), "µs", single.serverCpuMicrosPerDelivery(), "1 client",
                        "≤ 1 µs"));
    }

    private List<Figure> endToEnd() throws Exception {
        EndToEndBenchmark.Result result = EndToEndBenchmark.measure(settings.backlog(), 100, settings.rates(),
                settings.latencySeconds(), log);
        EndToEndBenchmark.Throughput throughput = result.throughput();
        List<Figure> figures = new ArrayList<>();
        figures.add(new Figure("e2e", String.format(Locale.ROOT, "catch-up: a new client syncs a %,d-change backlog"
                + " (the first: server paths still compiling)", throughput.changes()), throughput.catchUp(), "changes/s",
                throughput.storeApply(), "SQLite store apply alone", "report"));
        figures.add(new Figure("e2e", String.format(Locale.ROOT, "catch-up: a third new client syncs the %,d-change"
                + " backlog (warm server)", throughput.changes()), throughput.catchUpWarm(), "changes/s",
                throughput.storeApply(), "SQLite store apply alone", "≥ 0.8 × baseline"));
        figures.add(new Figure("e2e", "live: 100-row source transactions → client commit (bounded by the writer)",
                throughput.live(), "changes/s", throughput.storeApply(), "SQLite store apply alone", "report"));
        for (EndToEndBenchmark.Latency latency : result.latencies()) {
            String rate = String.format(Locale.ROOT, "%,d one-row tx/s", latency.rate());
            String p99Target = latency.rate() == 1_000 ? "< 50 ms" : latency.rate() == 5_000 ? "< 250 ms" : "report";
            figures.add(new Figure("e2e", "latency at " + rate + ": source transactions committed", latency.achievedRate(),
                    "tx/s", latency.rate(), "offered", "= offered"));
            figures.add(Figure.alone("e2e", "latency at " + rate + ": p50 (commit → client commit)", latency.p50(),
                    "ms", "report"));
            figures.add(Figure.alone("e2e", "latency at " + rate + ": p99 (commit → client commit)", latency.p99(),
                    "ms", p99Target));
            figures.add(new Figure("e2e", "latency at " + rate + ": p50 of the last second" + (latency.lagGrows()
                    ? " (lag grows)" : " (lag steady)"), latency.lastSecondP50(), "ms", latency.firstSecondP50(),
                    "p50 of the first second", "not growing"));
            for (EndToEndBenchmark.Hop hop : latency.hops()) {
                figures.add(new Figure("e2e", "latency at " + rate + ": hop '" + hop.name() + "', p99 ("
                        + HOP_SPANS.get(hop.name()) + ")", hop.p99(), "ms", hop.p50(), "p50 of the hop", "report"));
            }
        }
        return figures;
    }

    private List<Figure> tpcb() throws Exception {
        Path program = pgbench.find(settings.pgbench()).orElseThrow(() -> new Skipped(NO_PGBENCH));
        log.println("pgbench: " + program);
        TpcbBenchmark.Load load = new TpcbBenchmark.Load(settings.tpcbRate(), settings.tpcbSeconds(),
                settings.tpcbScale(), settings.tpcbClients());
        TpcbBenchmark.Result result = TpcbBenchmark.measure(program, load, log);
        String rate = String.format(Locale.ROOT, "%,d tps", load.rate());
        return List.of(
                Figure.alone("tpcb", "lag under pgbench TPC-B at " + rate + ": p99 (source WAL position → client"
                        + " commit)", result.lag().p99(), "ms", load.rate() == 1_000 ? "< 50 ms" : "report"),
                Figure.alone("tpcb", "lag under pgbench TPC-B at " + rate + ": p50 (source WAL position → client"
                        + " commit)", result.lag().p50(), "ms", "report"),
                new Figure("tpcb", "pgbench TPC-B: transactions committed", result.tps(), "tx/s", load.rate(),
                        "offered", "= offered"));
    }

    private List<Figure> idle() throws Exception {
        FanOutBenchmark.Idle idle = FanOutBenchmark.idle(settings.idleConnections());
        log.printf(Locale.ROOT, "idle: %,d connections, server heap after GC %,d → %,d bytes%n", idle.clients(),
                idle.heapBefore(), idle.heapAfter());
        String clients = String.format(Locale.ROOT, "%,d", idle.clients());
        return List.of(
                Figure.alone("idle", "idle connections: server heap per connection (" + clients + " clients)",
                        idle.heapPerConnection() / 1024, "KB", "< 10 KB (100 MB at 10,000)"),
                Figure.alone("idle", "idle connections: server heap held for " + clients + " clients",
                        (idle.heapAfter() - idle.heapBefore()) / 1024.0 / 1024.0, "MB", "< 100 MB at 10,000"));
    }
}
