package dev.tidemark.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * How the suite runs, from system properties (see docs/testing.md): {@code chaos.runs}, {@code chaos.seed},
 * {@code chaos.run-seconds}, {@code chaos.fault-every-millis}, {@code chaos.clients}, {@code chaos.nodes}, {@code chaos.ops},
 * {@code chaos.faults} (fault kinds by name, default all), {@code chaos.out}, and the packaged jars {@code tidemark.app.jar} and {@code tidemark.cli.jar}.
 */
record ChaosSettings(Path appJar, Path cliJar, Path out, int runs, long seed, Duration runDuration,
                     Duration faultEvery, int clients, int nodes, Set<Ops> ops, List<Fault> faults) {

    ChaosSettings {
        faults = List.copyOf(faults);
        if (nodes < 1) {
            throw new IllegalArgumentException("chaos.nodes must be at least 1, not " + nodes);
        }
        if (faults.isEmpty()) {
            throw new IllegalArgumentException("chaos.faults names no fault kind");
        }
    }

    static ChaosSettings fromSystemProperties() {
        return new ChaosSettings(
                Path.of(required("tidemark.app.jar")),
                Path.of(required("tidemark.cli.jar")),
                Path.of(System.getProperty("chaos.out", "target/chaos-runs")),
                Integer.getInteger("chaos.runs", 1),
                Long.getLong("chaos.seed", 20261127L),
                Duration.ofSeconds(Long.getLong("chaos.run-seconds", 10L)),
                Duration.ofMillis(Long.getLong("chaos.fault-every-millis", 2500L)),
                Integer.getInteger("chaos.clients", 3),
                Integer.getInteger("chaos.nodes", 2),
                Ops.parse(System.getProperty("chaos.ops", "default")),
                faults(System.getProperty("chaos.faults", "all")));
    }

    /**
     * Fault kinds by name ({@code client-kill,slot-dropped}), where {@code all} stands for every kind but those asked
     * for by name only ({@link Fault#byNameOnly()}): {@code all,server-clock-skew} is every kind.
     */
    static List<Fault> faults(String text) {
        if (text.isBlank()) {
            text = "all";
        }
        java.util.Set<Fault> faults = new java.util.LinkedHashSet<>();
        for (String name : text.split(",")) {
            if (name.trim().equalsIgnoreCase("all")) {
                java.util.Arrays.stream(Fault.values()).filter(kind -> !kind.byNameOnly()).forEach(faults::add);
                continue;
            }
            try {
                faults.add(Fault.valueOf(name.trim().replace('-', '_').toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown chaos.faults entry '" + name + "'; known: all, "
                        + java.util.Arrays.stream(Fault.values())
                        .map(f -> f.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                        .collect(java.util.stream.Collectors.joining(", ")), e);
            }
        }
        return List.copyOf(faults);
    }

    /** The same settings with other fault kinds. */
    ChaosSettings withFaults(List<Fault> kinds) {
        return new ChaosSettings(appJar, cliJar, out, runs, seed, runDuration, faultEvery, clients, nodes, ops, kinds);
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
