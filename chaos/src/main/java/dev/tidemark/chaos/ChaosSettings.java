package dev.tidemark.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * How the suite runs, from system properties (see docs/testing.md): {@code chaos.runs}, {@code chaos.seed},
 * {@code chaos.run-seconds}, {@code chaos.fault-every-millis}, {@code chaos.clients}, {@code chaos.ops},
 * {@code chaos.out}, and the packaged jars {@code tidemark.app.jar} and {@code tidemark.cli.jar}.
 */
record ChaosSettings(Path appJar, Path cliJar, Path out, int runs, long seed, Duration runDuration,
                     Duration faultEvery, int clients, Set<Ops> ops) {

    static ChaosSettings fromSystemProperties() {
        return new ChaosSettings(
                Path.of(required("tidemark.app.jar")),
                Path.of(required("tidemark.cli.jar")),
                Path.of(System.getProperty("chaos.out", "target/chaos-runs")),
                Integer.getInteger("chaos.runs", 2),
                Long.getLong("chaos.seed", 20261126L),
                Duration.ofSeconds(Long.getLong("chaos.run-seconds", 15L)),
                Duration.ofMillis(Long.getLong("chaos.fault-every-millis", 2500L)),
                Integer.getInteger("chaos.clients", 2),
                Ops.parse(System.getProperty("chaos.ops", "default")));
    }

    private static String required(String key) {
        String value = System.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("set -D" + key + " (the packaged jar; mvn sets it in the chaos module)");
        }
        return value;
    }

    /** The seed of run {@code index}: every run is reproducible alone with {@code -Dchaos.seed=S -Dchaos.runs=1}. */
    long seedOf(int index) {
        return seed + index;
    }
}
