package dev.tidemark.benchmarks.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.benchmarks.tpcb.PgbenchLocator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./tidemark bench --quick} runs every hop end to end and reports every figure in the table and in the
 * JSON; the values themselves are not judged here (a smoke run's sizes are too small to mean anything). The tpcb
 * hop needs pgbench: where there is none it is skipped with one line, and the command still succeeds.
 */
class BenchCommandSmokeTest {

    /** Every figure of the command but the tpcb hop's, as patterns over the table's first column, in order. */
    private static final List<String> FIGURES = List.of(
            "store apply incl\\. pending marker, SQLite, batch of 100",
            "store apply alone, SQLite, batch of 100",
            "store apply incl\\. pending marker, PostgreSQL, batch of 100",
            "store apply alone, PostgreSQL, batch of 100",
            "capture of 1-row transactions",
            "capture of 100-row transactions",
            "change-log catch-up read \\(pages of 1,001, state read per page\\)",
            "change-log append, one 20-change transaction per call",
            "hub fan-out, [\\d,]+ clients: deliveries/s, all clients",
            "hub fan-out, [\\d,]+ clients: server CPU per delivered change",
            "catch-up: a new client syncs a [\\d,]+-change backlog \\(the first: server paths still compiling\\)",
            "catch-up: a third new client syncs the [\\d,]+-change backlog \\(warm server\\)",
            "live: 100-row source transactions → client commit \\(bounded by the writer\\)",
            "latency at 1,000 one-row tx/s: source transactions committed",
            "latency at 1,000 one-row tx/s: p50 \\(commit → client commit\\)",
            "latency at 1,000 one-row tx/s: p99 \\(commit → client commit\\)",
            "latency at 1,000 one-row tx/s: p50 of the last second \\(lag (steady|grows)\\)",
            "latency at 1,000 one-row tx/s: hop 'logged', p99 \\(source commit → change-log commit\\)",
            "latency at 1,000 one-row tx/s: hop 'received', p99 \\(→ client received the batch\\)",
            "latency at 1,000 one-row tx/s: hop 'applied', p99 \\(→ client store commit\\)",
            "latency at 5,000 one-row tx/s: source transactions committed",
            "latency at 5,000 one-row tx/s: p50 \\(commit → client commit\\)",
            "latency at 5,000 one-row tx/s: p99 \\(commit → client commit\\)",
            "latency at 5,000 one-row tx/s: p50 of the last second \\(lag (steady|grows)\\)",
            "latency at 5,000 one-row tx/s: hop 'logged', p99 \\(source commit → change-log commit\\)",
            "latency at 5,000 one-row tx/s: hop 'received', p99 \\(→ client received the batch\\)",
            "latency at 5,000 one-row tx/s: hop 'applied', p99 \\(→ client store commit\\)",
            "idle connections: server heap per connection \\([\\d,]+ clients\\)",
            "idle connections: server heap held for [\\d,]+ clients");

    /** The tpcb hop's figures, between e2e's and idle's; only where pgbench is found. */
    private static final List<String> TPCB_FIGURES = List.of(
            "lag under pgbench TPC-B at [\\d,]+ tps: p99 \\(source WAL position → client commit\\)",
            "lag under pgbench TPC-B at [\\d,]+ tps: p50 \\(source WAL position → client commit\\)",
            "pgbench TPC-B: transactions committed");

    private static final String SKIP_LINE =
            "tpcb: skipped — pgbench not found; install postgresql-client or pass --pgbench PATH";

    @TempDir
    Path directory;

    @Test
    void quickFormPrintsEveryFigureInTheTableAndTheJson() throws Exception {
        Path json = directory.resolve("bench.json");
        Run run = run(PgbenchLocator.ofSystem(), "--quick", "--json", json.toString());
        Bench.Report report = run.report();
        String table = run.table();
        String log = run.log();
        assertThat(report.failures()).as(log).isEmpty();
        // CI's fresh machine has no pgbench: there the tpcb hop says so in one line and gives no figures.
        boolean pgbench = PgbenchLocator.ofSystem().find(null).isPresent();
        List<String> expected = new ArrayList<>(FIGURES);
        if (pgbench) {
            expected.addAll(FIGURES.size() - 2, TPCB_FIGURES); // before idle's two
            assertThat(report.skipped()).isEmpty();
        } else {
            assertThat(report.skipped()).containsExactly(Map.entry("tpcb", Hops.NO_PGBENCH));
            assertThat(table).contains(SKIP_LINE);
            assertThat(log).contains(SKIP_LINE);
        }

        List<String> rows = table.lines()
                .filter(line -> line.startsWith("| ") && !line.startsWith("| figure |")).toList();
        assertThat(table).contains("| figure | value | baseline (same run) | ratio | target |").contains("JSON: " + json);
        List<String> names = new ArrayList<>();
        for (String row : rows) {
            String[] cells = row.split(" \\| ");
            assertThat(cells).as(row).hasSize(5);
            names.add(cells[0].substring(2));
        }
        assertThat(names).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(names.get(i)).matches(expected.get(i));
        }

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.path("loadAverageBefore").isNumber()).isTrue();
        List<String> jsonNames = new ArrayList<>();
        for (JsonNode figure : root.path("figures")) {
            jsonNames.add(figure.path("figure").asText());
            assertThat(figure.has("value") && figure.has("baseline") && figure.has("ratio") && figure.has("target"))
                    .as(figure.toString()).isTrue();
            assertThat(figure.path("hop").asText()).isIn(BenchSettings.HOPS);
        }
        assertThat(jsonNames).isEqualTo(names);
        assertThat(root.path("failures").isEmpty()).isTrue();
        assertThat(root.path("skipped").size()).isEqualTo(pgbench ? 0 : 1);
    }

    @Test
    void withoutPgbenchTheTpcbHopIsSkippedInOneLineAndTheCommandSucceeds() throws Exception {
        Path json = directory.resolve("bench.json");
        Run run = run(new PgbenchLocator(Map.of("PATH", directory.toString()), directory.resolve("no-postgresql")),
                "--quick", "--only", "tpcb", "--json", json.toString());
        Bench.Report report = run.report();
        assertThat(report.failures()).isEmpty();
        assertThat(report.figures()).isEmpty();
        assertThat(report.skipped()).containsExactly(Map.entry("tpcb", Hops.NO_PGBENCH));
        assertThat(run.table()).contains(SKIP_LINE);
        assertThat(run.log()).contains(SKIP_LINE);
        assertThat(new ObjectMapper().readTree(json.toFile()).path("skipped").path("tpcb").asText())
                .isEqualTo(Hops.NO_PGBENCH);
    }

    /** What one run of the command gave: its report, its table (standard output) and its log. */
    private record Run(Bench.Report report, String table, String log) {}

    private static Run run(PgbenchLocator pgbench, String... arguments) throws Exception {
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Bench.Report report;
        try (PrintStream out = new PrintStream(table, true, StandardCharsets.UTF_8);
             PrintStream err = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            report = new Bench(BenchSettings.parse(arguments), out, err, pgbench).run();
        }
        return new Run(report, table.toString(StandardCharsets.UTF_8), log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badOptionsGetTheUsageAndRunNothing() {
        assertThatThrownBy(() -> BenchSettings.parse("--only", "capture,disk"))
                .hasMessageContaining("unknown hop 'disk'")
                .hasMessageContaining("store,capture,changelog,fanout,e2e,tpcb,idle");
        assertThatThrownBy(() -> BenchSettings.parse("--backlog", "many"))
                .hasMessageContaining("--backlog takes a whole number").hasMessageContaining("usage:");
        assertThatThrownBy(() -> BenchSettings.parse("--frobnicate", "1")).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> BenchSettings.parse("--rates")).hasMessageContaining("missing value after --rates");
        assertThat(BenchSettings.parse("--only", "e2e,capture").hops()).containsExactly("capture", "e2e");
        assertThat(BenchSettings.parse("--quick", "--backlog", "5000").backlog()).isEqualTo(5000);
        BenchSettings tpcb = BenchSettings.parse("--tpcb-rate", "500", "--tpcb-seconds", "5", "--tpcb-scale", "2",
                "--tpcb-clients", "3", "--pgbench", "/opt/pg/bin/pgbench");
        assertThat(List.of(tpcb.tpcbRate(), tpcb.tpcbSeconds(), tpcb.tpcbScale(), tpcb.tpcbClients()))
                .containsExactly(500, 5, 2, 3);
        assertThat(tpcb.pgbench()).isEqualTo(Path.of("/opt/pg/bin/pgbench"));
        assertThat(BenchSettings.parse().tpcbRate()).isEqualTo(1_000);
        assertThat(BenchSettings.parse().pgbench()).isNull();
        assertThatThrownBy(() -> BenchSettings.parse("--tpcb-rate", "0"))
                .hasMessageContaining("--tpcb-rate is at least 1");
    }
}
