package dev.tidemark.benchmarks.tpcb;

import dev.tidemark.server.pg.SourceSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code pgbench} program pointed at one database: initialises its TPC-B tables and runs its builtin TPC-B
 * ({@code tpcb-like}) script. Its output goes to the log line by line; a run that fails is reported with its exit
 * code and its last lines of output.
 */
final class Pgbench {

    private static final Pattern JDBC_URL = Pattern.compile("jdbc:postgresql://([^/:?]+)(?::(\\d+))?/([^?]+).*");
    private static final Pattern TPS = Pattern.compile("^tps = ([0-9.]+) ");
    private static final Pattern PROCESSED = Pattern.compile("^number of transactions actually processed: (\\d+)");
    private static final int LINES_KEPT = 15;

    /** What one run of the TPC-B script did, by pgbench's own summary. */
    record Run(double tps, long transactions) {}

    private final Path program;
    private final SourceSettings database;
    private final PrintStream log;

    Pgbench(Path program, SourceSettings database, PrintStream log) {
        this.program = program;
        this.database = database;
        this.log = log;
    }

    /** {@code pgbench -i -q -s scale}: (re)creates and fills the four pgbench tables. */
    void initialize(int scale) throws IOException, InterruptedException {
        run(List.of("-i", "-q", "-s", Integer.toString(scale)), TimeUnit.MINUTES.toSeconds(30));
    }

    /**
     * {@code pgbench -n -c clients -j min(2, clients) -R rate -T seconds -P 1}: the builtin TPC-B script at a
     * paced rate, progress every second.
     */
    Run tpcb(int clients, int rate, int seconds) throws IOException, InterruptedException {
        List<String> output = run(List.of("-n", "-c", Integer.toString(clients), "-j",
                Integer.toString(Math.min(2, clients)), "-R", Integer.toString(rate), "-T", Integer.toString(seconds),
                "-P", "1"), seconds + 300L);
        double tps = Double.NaN;
        long transactions = -1;
        for (String line : output) {
            Matcher matcher = TPS.matcher(line);
            if (matcher.find()) {
                tps = Double.parseDouble(matcher.group(1));
            }
            matcher = PROCESSED.matcher(line);
            if (matcher.find()) {
                transactions = Long.parseLong(matcher.group(1));
            }
        }
        if (Double.isNaN(tps) || transactions < 0) {
            throw new IllegalStateException("pgbench finished without its 'tps = ' and 'number of transactions"
                    + " actually processed' lines; its last lines:\n" + String.join("\n", last(output)));
        }
        return new Run(tps, transactions);
    }

    /** Runs pgbench with {@code arguments} and the connection options; its output (both streams) in order. */
    private List<String> run(List<String> arguments, long timeoutSeconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(connectionOptions());
        command.addAll(arguments);
        command.add(databaseName());
        log.println("  $ " + String.join(" ", command));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (database.password() != null) {
            builder.environment().put("PGPASSWORD", database.password());
        }
        Process process = builder.start();
        process.getOutputStream().close();
        List<String> output = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                log.println("  pgbench: " + line);
                output.add(line);
            }
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("pgbench " + String.join(" ", arguments) + " did not finish in "
                    + timeoutSeconds + " s");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("pgbench " + String.join(" ", arguments) + " exited with "
                    + process.exitValue() + "; its last lines:\n" + String.join("\n", last(output)));
        }
        return output;
    }

    private List<String> connectionOptions() {
        Matcher url = url();
        List<String> options = new ArrayList<>(List.of("-h", url.group(1)));
        if (url.group(2) != null) {
            options.addAll(List.of("-p", url.group(2)));
        }
        if (database.user() != null) {
            options.addAll(List.of("-U", database.user()));
        }
        return options;
    }

    private String databaseName() {
        return url().group(3);
    }

    private Matcher url() {
        Matcher matcher = JDBC_URL.matcher(database.jdbcUrl());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("cannot tell pgbench the host, port and database of "
                    + database.redactedUrl() + " (expected jdbc:postgresql://host:port/database)");
        }
        return matcher;
    }

    private static List<String> last(List<String> lines) {
        return List.copyOf(lines.subList(Math.max(0, lines.size() - LINES_KEPT), lines.size()));
    }
}
