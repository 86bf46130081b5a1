package dev.tidemark.chaos;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code chaos.runs} seeded runs on one PostgreSQL, prints the seed and result of every run as it ends, and
 * the totals table at the end; {@code totals.txt} in {@code chaos.out} holds the totals so far after every run.
 */
final class ChaosSuite {

    private final ChaosSettings settings;
    private final Totals totals = new Totals();
    private final List<RunResult> results = new ArrayList<>();

    ChaosSuite(ChaosSettings settings) {
        this.settings = settings;
    }

    Totals totals() {
        return totals;
    }

    List<RunResult> results() {
        return results;
    }

    /** Runs them all; PostgreSQL is started here and stopped at the end. */
    void run() throws Exception {
        Files.createDirectories(settings.out());
        ChaosRun.deleteRecursively(settings.out().resolve("postgres"));
        try (PostgresProcess postgres = PostgresProcess.create(settings.out().resolve("postgres"), ChaosRun.freePort())) {
            for (int i = 0; i < settings.runs(); i++) {
                long seed = settings.seedOf(i);
                System.out.println("chaos run " + (i + 1) + "/" + settings.runs() + " seed=" + seed + " starting");
                RunResult result = new ChaosRun(settings, postgres, seed).run();
                results.add(result);
                totals.add(result);
                System.out.println(result.line());
                if (!result.passed()) {
                    result.problems().forEach(problem -> System.out.println("  " + problem));
                }
                // A long run stopped at any point still has the totals of the runs that ended.
                Files.writeString(settings.out().resolve("totals.txt"), "after run " + (i + 1) + " of " + settings.runs()
                        + " (seeds " + settings.seedOf(0) + ".." + seed + ")\n" + totals.table());
            }
        }
        System.out.println(totals.table());
    }
}
