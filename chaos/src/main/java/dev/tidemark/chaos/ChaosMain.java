package dev.tidemark.chaos;

/**
 * Runs the suite outside Maven's test phases (same {@code -D} properties as the suite test), for long runs:
 * {@code java -Dtidemark.app.jar=... -Dtidemark.cli.jar=... -Dchaos.runs=1000 -cp ... dev.tidemark.chaos.ChaosMain}.
 * Exits 1 when a run failed. Stopped early (SIGTERM, Ctrl-C), it prints the totals of the runs that ended.
 */
public final class ChaosMain {

    private ChaosMain() {}

    public static void main(String[] args) throws Exception {
        ChaosSuite suite = new ChaosSuite(ChaosSettings.fromSystemProperties());
        Thread printTotals = new Thread(() -> System.out.println("stopped early:" + suite.totals().table()));
        Runtime.getRuntime().addShutdownHook(printTotals);
        suite.run();
        Runtime.getRuntime().removeShutdownHook(printTotals);
        System.exit(suite.totals().failedSeeds().isEmpty() ? 0 : 1);
    }
}
