package dev.tidemark.benchmarks.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./tidemark bench --quick} runs every hop end to end and reports every figure in the table and in the
 * JSON; the values themselves are not judged here (a smoke run's sizes are too small to mean anything).
 */
class BenchCommandSmokeTest {

    /** Every figure of the command, as patterns over the table's first column. */
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

    @TempDir
    Path directory;

    @Test
    void quickFormPrintsEveryFigureInTheTableAndTheJson() throws Exception {
        Path json = directory.resolve("bench.json");
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Bench.Report report;
        try (PrintStream out = new PrintStream(table, true, StandardCharsets.UTF_8);
             PrintStream err = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            report = new Bench(BenchSettings.parse("--quick", "--json", json.toString()), out, err).run();
        }
        assertThat(report.failures()).as(log.toString(StandardCharsets.UTF_8)).isEmpty();

        List<String> rows = table.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.startsWith("| ") && !line.startsWith("| figure |")).toList();
        assertThat(table.toString(StandardCharsets.UTF_8))
                .contains("| figure | value | baseline (same run) | ratio | target |").contains("JSON: " + json);
        List<String> names = new ArrayList<>();
        for (String row : rows) {
            String[] cells = row.split(" \\| ");
            assertThat(cells).as(row).hasSize(5);
            names.add(cells[0].substring(2));
        }
        assertThat(names).hasSize(FIGURES.size());
        for (int i = 0; i < FIGURES.size(); i++) {
            assertThat(names.get(i)).matches(FIGURES.get(i));
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
    }

    @Test
    void badOptionsGetTheUsageAndRunNothing() {
        assertThatThrownBy(() -> BenchSettings.parse("--only", "capture,disk"))
                .hasMessageContaining("unknown hop 'disk'").hasMessageContaining("store,capture,changelog,fanout,e2e,idle");
        assertThatThrownBy(() -> BenchSettings.parse("--backlog", "many"))
                .hasMessageContaining("--backlog takes a whole number").hasMessageContaining("usage:");
        assertThatThrownBy(() -> BenchSettings.parse("--frobnicate", "1")).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> BenchSettings.parse("--rates")).hasMessageContaining("missing value after --rates");
        assertThat(BenchSettings.parse("--only", "e2e,capture").hops()).containsExactly("capture", "e2e");
        assertThat(BenchSettings.parse("--quick", "--backlog", "5000").backlog()).isEqualTo(5000);
    }
}
