package dev.tidemark.benchmarks.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The benchmark runs end to end on a tiny workload; the figures themselves are not judged here. */
class StoreApplyBenchmarkSmokeTest {

    @Test
    void printsAStoreAgainstBaselineTable() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new StoreApplyBenchmark(BenchOptions.parse("--stores", "sqlite", "--changes", "2000", "--reps", "1"), out).run();
        }
        String report = bytes.toString(StandardCharsets.UTF_8);

        assertThat(report).contains("sqlite store against plain JDBC batch inserts");
        assertThat(report.lines().filter(line -> line.matches("sqlite\\s+(100|1000)\\s+(sequential|random UUID)\\s+[\\d,]+\\s+[\\d,]+\\s+\\d+\\.\\d\\d")))
                .hasSize(4);
        assertThat(report).contains("recordPending").contains("sqlite table layout").contains("jOOQ");
    }

    @Test
    void rejectsUnknownOptionsWithTheUsage() {
        assertThatThrownBy(() -> BenchOptions.parse("--store", "sqlite"))
                .hasMessageContaining("unknown option --store").hasMessageContaining("usage:");
        assertThatThrownBy(() -> BenchOptions.parse("--stores", "mysql")).hasMessageContaining("unknown store 'mysql'");
        assertThatThrownBy(() -> BenchOptions.parse("--changes", "10")).hasMessageContaining("at least 1000");
    }

    @Test
    void mediansAreMedians() {
        assertThat(StoreApplyBenchmark.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(StoreApplyBenchmark.median(new double[] {4, 1, 2, 3})).isEqualTo(2.5);
    }
}
