package dev.tidemark.benchmarks.store;

import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's command line.
 *
 * @param stores which stores to measure: {@code sqlite}, {@code postgres}
 * @param changes changes per measured run (per store, batch size and key kind)
 * @param reps runs per figure; the median is printed
 * @param durability {@code full} or {@code normal}, for stores and baselines alike
 * @param pgUrl a PostgreSQL to use instead of an embedded one, or null
 * @param extras whether to print the layout, jOOQ and pending-marker tables too
 */
record BenchOptions(List<String> stores, int changes, int reps, String durability, String pgUrl, boolean extras) {

    static final String USAGE = """
            usage: StoreApplyBenchmark [--stores sqlite,postgres] [--changes 100000] [--reps 3]
                                       [--durability full|normal] [--pg-url jdbc:postgresql://...] [--no-extras]""";

    static BenchOptions parse(String... args) {
        List<String> stores = List.of("sqlite", "postgres");
        int changes = 100_000;
        int reps = 3;
        String durability = "full";
        String pgUrl = null;
        boolean extras = true;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--no-extras")) {
                extras = false;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + arg + "\n" + USAGE);
            }
            String value = args[++i];
            switch (arg) {
                case "--stores":
                    stores = new ArrayList<>(List.of(value.split(",")));
                    for (String store : stores) {
                        if (!store.equals("sqlite") && !store.equals("postgres")) {
                            throw new IllegalArgumentException("unknown store '" + store + "'\n" + USAGE);
                        }
                    }
                    break;
                case "--changes":
                    changes = Integer.parseInt(value);
                    break;
                case "--reps":
                    reps = Integer.parseInt(value);
                    break;
                case "--durability":
                    if (!value.equals("full") && !value.equals("normal")) {
                        throw new IllegalArgumentException("--durability is full or normal\n" + USAGE);
                    }
                    durability = value;
                    break;
                case "--pg-url":
                    pgUrl = value;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
            }
        }
        if (changes < 1000 || reps < 1) {
            throw new IllegalArgumentException("--changes is at least 1000 and --reps at least 1\n" + USAGE);
        }
        return new BenchOptions(List.copyOf(stores), changes, reps, durability, pgUrl, extras);
    }
}
