package dev.tidemark.app.cli;

import dev.tidemark.app.config.ServerConfig;
import dev.tidemark.app.config.TidemarkSettings;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.capture.Readiness;
import dev.tidemark.server.pg.SourceSettings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tidemark check}: is this PostgreSQL ready for capture? Changes nothing. Needs only the source
 * database; tables, slot and publication names are checked when given.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check that a PostgreSQL is ready for capture (version, wal_level, role, publication, slot);"
                + " changes nothing. Exit code 0 when ready.",
                "Needs only the database: --source, or tidemark.source.* in a config file (for the running demo:"
                        + " -c .tidemark/demo/tidemark.properties)."})
public final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--source", paramLabel = "JDBC_URL",
            description = "the source database, user in the URL or in tidemark.source.user: "
                    + "jdbc:postgresql://HOST:PORT/DB?user=NAME (tidemark.source.jdbc-url)")
    String source;

    @Option(names = "--tables", paramLabel = "T1,T2",
            description = "the tables capture will read (tidemark.capture.tables); optional")
    String tables;

    @Override
    public Integer call() {
        if (source != null) {
            config.put("tidemark.source.jdbc-url", source);
        }
        if (tables != null) {
            config.put("tidemark.capture.tables", tables);
        }
        TidemarkSettings settings = config.load().settings();
        SourceSettings database = ServerConfig.source(settings.source()).orElseThrow(() -> new ParameterException(
                spec.commandLine(), "name the database to check: --source jdbc:postgresql://HOST:PORT/DB?user=NAME"
                + " (or tidemark.source.jdbc-url in a config file given with -c)"));
        CaptureSettings.Builder capture = settings.capture().names();
        boolean namesWhatToCapture = settings.capture().tables().isPresent() || settings.capture().schemas().isPresent();
        if (!namesWhatToCapture) {
            capture.managePublication(false); // nothing to align the publication with: look at it as it is
        }
        CaptureSettings captureSettings;
        try {
            captureSettings = capture.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "bad capture setting: " + e.getMessage());
        }
        List<Readiness.Finding> findings = new ArrayList<>();
        for (Readiness.Finding finding : Readiness.check(database, captureSettings)) {
            if (!namesWhatToCapture && !finding.ok()
                    && finding.text().startsWith("publication " + captureSettings.publicationName() + " does not exist")) {
                finding = new Readiness.Finding(true, "publication " + captureSettings.publicationName()
                        + " does not exist yet; capture creates it for the tables it is given (check them with --tables)");
            }
            findings.add(finding);
        }
        PrintWriter out = spec.commandLine().getOut();
        findings.forEach(finding -> out.println((finding.ok() ? "ok      " : "PROBLEM ") + finding.text()));
        boolean ready = findings.stream().allMatch(Readiness.Finding::ok);
        out.println(ready ? "ready for capture" : "not ready: fix the problems above");
        return ready ? 0 : 1;
    }
}
