package dev.tidemark.benchmarks.capture;

/**
 * The capture benchmark's options.
 *
 * @param changes how many changes the workload commits
 * @param rowsPerTransaction rows inserted per source transaction
 * @param jdbcUrl an external PostgreSQL to run against (its database is used as it is), or {@code null}
 *     for an embedded one in a temporary directory
 * @param user the role for {@code jdbcUrl}, or {@code null}
 */
record BenchmarkOptions(int changes, int rowsPerTransaction, String jdbcUrl, String user) {

    BenchmarkOptions {
        if (changes < 1 || rowsPerTransaction < 1 || rowsPerTransaction > changes) {
            throw new IllegalArgumentException("need 1 <= rows per transaction <= changes");
        }
    }

    static BenchmarkOptions parse(String[] args) {
        int changes = 500_000;
        int rows = 100;
        String url = null;
        String user = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--changes" -> changes = Integer.parseInt(required(args[i], value));
                case "--rows-per-transaction" -> rows = Integer.parseInt(required(args[i], value));
                case "--url" -> url = required(args[i], value);
                case "--user" -> user = required(args[i], value);
                case "--help" -> {
                    System.out.println("options: --changes N (500000) --rows-per-transaction N (100)"
                            + " --url jdbc:postgresql://... --user NAME");
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
            }
            i++;
        }
        return new BenchmarkOptions(changes, rows, url, user);
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
