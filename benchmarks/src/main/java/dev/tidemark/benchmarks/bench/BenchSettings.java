package dev.tidemark.benchmarks.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The options of {@code ./tidemark bench}. The defaults finish in under ten minutes on two cores; {@code --quick}
 * shrinks every size to a smoke run of well under a minute (its figures mean little).
 *
 * @param hops the hops to run, in the table's order
 * @param json where to write the JSON, or null for {@code target/bench/bench-<timestamp>.json}
 * @param storeChanges changes per store apply run (batches of 100)
 * @param reps runs per store apply figure (median)
 * @param captureChanges changes of the 100-row transaction capture run
 * @param captureTransactions transactions of the 1-row transaction capture run
 * @param changelogTransactions 20-change transactions appended and then read by the change log read benchmark
 * @param fanoutClients clients of the fan-out run (beside one client)
 * @param fanoutSeconds seconds of the fan-out's saturated phase
 * @param backlog changes of the end-to-end catch-up backlog
 * @param rates one-row transactions per second of the latency phases
 * @param latencySeconds seconds of each latency phase
 * @param tpcbRate transactions per second pgbench's TPC-B offers in the tpcb hop
 * @param tpcbSeconds seconds pgbench runs in the tpcb hop
 * @param tpcbScale pgbench's scale factor (100,000 accounts and one branch per unit)
 * @param tpcbClients pgbench's connections
 * @param pgbench the pgbench program, or null to look for it (TIDEMARK_PGBENCH, PATH, /usr/lib/postgresql)
 * @param idleConnections idle WebSocket clients held by one server
 */
public record BenchSettings(List<String> hops, Path json, int storeChanges, int reps, int captureChanges,
                            int captureTransactions, int changelogTransactions, int fanoutClients, int fanoutSeconds,
                            int backlog, List<Integer> rates, int latencySeconds, int tpcbRate, int tpcbSeconds,
                            int tpcbScale, int tpcbClients, Path pgbench, int idleConnections) {

    /** Every hop, in the order they run and print. */
    public static final List<String> HOPS = List.of("store", "capture", "changelog", "fanout", "e2e", "tpcb", "idle");

    static final String USAGE = """
            usage: tidemark bench [--quick] [--only store,capture,changelog,fanout,e2e,tpcb,idle] [--json PATH]
                                  [--store-changes 20000] [--reps 3]
                                  [--capture-changes 200000] [--capture-transactions 20000]
                                  [--changelog-transactions 5000]
                                  [--fanout-clients 1000] [--fanout-seconds 10]
                                  [--backlog 200000] [--rates 1000,5000] [--latency-seconds 20]
                                  [--tpcb-rate 1000] [--tpcb-seconds 20] [--tpcb-scale 1] [--tpcb-clients 4]
                                  [--pgbench PATH]
                                  [--idle-connections 1000]
            Runs every hop's benchmark and prints one table (figure | value | baseline of the same run | ratio |
            target of issue 13) and writes the same figures as JSON (default target/bench/bench-<timestamp>.json).
            --quick is a smoke form (tiny sizes) that only shows the command works; sizes given with it still apply.
            For the figures of issue 13 in full: --latency-seconds 60 --idle-connections 10000.
            The tpcb hop runs pgbench (PostgreSQL's client tools): --pgbench PATH, else $TIDEMARK_PGBENCH, else
            pgbench on the PATH, else /usr/lib/postgresql/*/bin/pgbench; without one it is skipped.""";

    /** Parses the command line; throws {@link IllegalArgumentException} with the usage on bad input. */
    public static BenchSettings parse(String... args) {
        boolean quick = List.of(args).contains("--quick");
        List<String> hops = HOPS;
        Path json = null;
        int storeChanges = quick ? 2_000 : 20_000;
        int reps = quick ? 1 : 3;
        int captureChanges = quick ? 2_000 : 200_000;
        int captureTransactions = quick ? 200 : 20_000;
        int changelogTransactions = quick ? 100 : 5_000;
        int fanoutClients = quick ? 10 : 1_000;
        int fanoutSeconds = quick ? 2 : 10;
        int backlog = quick ? 2_000 : 200_000;
        List<Integer> rates = List.of(1_000, 5_000);
        int latencySeconds = quick ? 1 : 20;
        int tpcbRate = quick ? 100 : 1_000;
        int tpcbSeconds = quick ? 2 : 20;
        int tpcbScale = 1;
        int tpcbClients = quick ? 2 : 4;
        Path pgbench = null;
        int idle = quick ? 20 : 1_000;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--quick")) {
                continue;
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new HelpRequested();
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + arg + "\n" + USAGE);
            }
            String value = args[++i];
            switch (arg) {
                case "--only" -> hops = hops(value);
                case "--json" -> json = Path.of(value);
                case "--store-changes" -> storeChanges = number(arg, value, 100);
                case "--reps" -> reps = number(arg, value, 1);
                case "--capture-changes" -> captureChanges = number(arg, value, 100);
                case "--capture-transactions" -> captureTransactions = number(arg, value, 1);
                case "--changelog-transactions" -> changelogTransactions = number(arg, value, 51);
                case "--fanout-clients" -> fanoutClients = number(arg, value, 2);
                case "--fanout-seconds" -> fanoutSeconds = number(arg, value, 1);
                case "--backlog" -> backlog = number(arg, value, 100);
                case "--rates" -> {
                    List<Integer> parsed = new ArrayList<>();
                    for (String rate : value.split(",")) {
                        parsed.add(number(arg, rate.trim(), 1));
                    }
                    rates = List.copyOf(parsed);
                }
                case "--latency-seconds" -> latencySeconds = number(arg, value, 1);
                case "--tpcb-rate" -> tpcbRate = number(arg, value, 1);
                case "--tpcb-seconds" -> tpcbSeconds = number(arg, value, 1);
                case "--tpcb-scale" -> tpcbScale = number(arg, value, 1);
                case "--tpcb-clients" -> tpcbClients = number(arg, value, 1);
                case "--pgbench" -> pgbench = Path.of(value);
                case "--idle-connections" -> idle = number(arg, value, 1);
                default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
            }
        }
        return new BenchSettings(hops, json, storeChanges, reps, captureChanges, captureTransactions,
                changelogTransactions, fanoutClients, fanoutSeconds, backlog, rates, latencySeconds, tpcbRate,
                tpcbSeconds, tpcbScale, tpcbClients, pgbench, idle);
    }

    private static List<String> hops(String value) {
        Set<String> chosen = new LinkedHashSet<>();
        for (String hop : value.split(",")) {
            String name = hop.trim();
            if (!HOPS.contains(name)) {
                throw new IllegalArgumentException("unknown hop '" + name + "' in --only; the hops are "
                        + String.join(",", HOPS));
            }
            chosen.add(name);
        }
        return HOPS.stream().filter(chosen::contains).toList();
    }

    private static int number(String option, String value, int least) {
        int parsed;
        try {
            parsed = Integer.parseInt(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, not '" + value + "'\n" + USAGE);
        }
        if (parsed < least) {
            throw new IllegalArgumentException(option + " is at least " + least + ", not " + parsed + "\n" + USAGE);
        }
        return parsed;
    }

    /** {@code --help}: print the usage and stop. */
    static final class HelpRequested extends IllegalArgumentException {
        HelpRequested() {
            super(USAGE);
        }
    }
}
