package dev.tidemark.app.demo;

import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.app.pg.EmbeddedPostgresStarter;
import dev.tidemark.app.pg.EmbeddedSource;
import dev.tidemark.server.pg.SourceSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tidemark demo-postgres}: only the demo's PostgreSQL and writer, for servers run by hand (the three-node
 * example, {@code examples/three-nodes/run.sh}): an embedded PostgreSQL with the demo schema, a writer committing
 * demo transactions, until Ctrl-C. The servers are separate {@code tidemark serve} processes, so one can be killed
 * while the database stays up.
 */
@Command(name = "demo-postgres", mixinStandardHelpOptions = true,
        description = {"Run only the demo's embedded PostgreSQL (with the demo schema) and its writer, until Ctrl-C:"
                + " for several 'tidemark serve' nodes started by hand (examples/three-nodes/run.sh).",
                "Prints the JDBC URL to give each node with --source."})
public final class DemoPostgresCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", defaultValue = ".tidemark/three-nodes/pg", description = "PostgreSQL's data directory"
            + " (default ${DEFAULT-VALUE}); kept between runs")
    Path directory;

    @Option(names = "--port", defaultValue = "5433", description = "PostgreSQL's port on localhost (default"
            + " ${DEFAULT-VALUE}; 0 for any free one)")
    int port;

    @Option(names = "--rate", defaultValue = "20", description = "demo transactions per second (default"
            + " ${DEFAULT-VALUE}; 0 writes nothing)")
    double rate;

    @Override
    public Integer call() throws Exception {
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must be 0 or more (got " + rate + ")");
        }
        PrintWriter out = spec.commandLine().getOut();
        EmbeddedSource postgres = new EmbeddedPostgresStarter().start(
                new EmbeddedPostgresSettings(directory, port, Map.of()));
        SourceSettings source = postgres.settings();
        try (Connection connection = source.connect()) {
            DemoSchema.create(connection);
        }
        DemoWriter writer = rate > 0 ? new DemoWriter(source, rate, new Random()) : null;
        Thread writing = writer == null ? null : new Thread(writer, "demo-writer");
        if (writing != null) {
            writing.setDaemon(true);
            writing.start();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (writer != null) {
                    writer.stopAndWait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                postgres.close();
                stopped.countDown();
            }
        }, "demo-postgres-stop"));
        out.printf("demo-postgres: PostgreSQL running, source %s?user=%s, tables %s%n", source.jdbcUrl(),
                EmbeddedSource.SUPERUSER, String.join(",", DemoSchema.TABLES));
        out.printf("demo-postgres: writing %s demo transactions/s; Ctrl-C stops the writer, then PostgreSQL%n",
                writer == null ? "no" : String.valueOf(rate));
        out.flush();
        stopped.await();
        return 0;
    }
}
