package dev.tidemark.server.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.server.pg.TestDatabases;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The source oracle: the real capture against a real PostgreSQL under a seeded random mix of DML, the
 * state rebuilt from the change log compared with the source, row by row and column by column.
 *
 * <p>Short by default (3 random seeds of 1,500 changes, the first with a transaction of 10,000 rows).
 * System properties: {@code oracle.seeds} (how many seeds), {@code oracle.changes} (row changes per
 * seed, besides the bulk transaction), {@code oracle.seed} (replay these seeds, comma-separated),
 * {@code oracle.bulkEvery} (every how many seeds one transaction of 10,000 rows runs, default 5). The long form:
 * {@code mvn -B -pl server -am verify -Dtest=SourceOracleTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Doracle.seeds=20 -Doracle.changes=50000}.
 */
@DisplayName("Source oracle: the change log rebuilds exactly the source")
class SourceOracleTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    @Test
    @DisplayName("a seeded random mix of DML over every rendered type rebuilds every row and column")
    void rebuildEqualsSource() throws SQLException {
        long changes = Long.getLong("oracle.changes", 1_500);
        List<Long> seeds = seeds();
        int bulkEvery = Integer.getInteger("oracle.bulkEvery", 5);
        System.out.printf("[oracle] seeds %s, %,d changes each (replay one with -Doracle.seed=SEED)%n", seeds, changes);
        long began = System.nanoTime();
        long checked = 0;
        long rows = 0;
        List<String> failures = new ArrayList<>();
        TreeMap<String, Long> known = new TreeMap<>();
        for (int i = 0; i < seeds.size(); i++) {
            long seed = seeds.get(i);
            System.out.printf("[oracle] seed %d: running%n", seed);
            OracleRun.Result result;
            try {
                result = OracleRun.run(postgres.createDatabase(), seed, changes, i % bulkEvery == 0);
            } catch (SQLException | java.io.IOException | RuntimeException | AssertionError e) {
                throw new AssertionError("[oracle] seed " + seed + " failed (replay: -Doracle.seed=" + seed + "): " + e, e);
            }
            checked += result.logChanges();
            rows += result.rows();
            result.known().forEach(d -> known.merge(d.why(), 1L, Long::sum));
            System.out.printf("[oracle] seed %d: %,d source changes in %,d transactions (%,d key changes), %,d log"
                            + " changes %s, %,d rows compared, %d divergences, %d known gaps, %.1f s (%s)%n", seed,
                    result.changes(), result.transactions(), result.keyChanges(), result.logChanges(), result.logCounts(),
                    result.rows(), result.divergences().size(), result.known().size(), result.took().toMillis() / 1000.0,
                    result.phases());
            if (!result.divergences().isEmpty()) {
                StringBuilder report = new StringBuilder("[oracle] seed " + seed + " (replay: -Doracle.seed=" + seed
                        + "): " + result.divergences().size() + " divergences, the first:\n");
                result.divergences().stream().limit(25).forEach(d -> report.append("  ").append(d).append('\n'));
                System.out.println(report);
                failures.add(report.toString());
            }
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        System.out.printf("[oracle] done: %d seeds, %,d log changes checked, %,d rows compared, %.1f s (%,.0f changes/s),"
                + " %d seeds diverged%n", seeds.size(), checked, rows, seconds, checked / seconds, failures.size());
        known.forEach((why, count) -> System.out.printf("[oracle] %,d x %s%n", count, why));
        assertThat(failures).as("divergences from the source").isEmpty();
    }

    private static List<Long> seeds() {
        String given = System.getProperty("oracle.seed");
        if (given != null && !given.isBlank()) {
            return Arrays.stream(given.split(",")).map(String::trim).map(Long::parseLong).toList();
        }
        SecureRandom random = new SecureRandom();
        int count = Integer.getInteger("oracle.seeds", 3);
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            seeds.add(random.nextLong());
        }
        return seeds;
    }
}
