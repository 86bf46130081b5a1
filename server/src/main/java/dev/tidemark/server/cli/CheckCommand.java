package dev.tidemark.server.cli;

import dev.tidemark.server.capture.Readiness;
import dev.tidemark.server.pg.SourceSettings;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tidemark check}: is this PostgreSQL ready for capture? Changes nothing. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check that a PostgreSQL is ready for capture (version, wal_level, role, publication, slot);"
                + " changes nothing. Exit code 0 when ready.")
public final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--source", paramLabel = "JDBC_URL", description = "the source database (tidemark.source.jdbc-url)")
    String source;

    @Override
    public Integer call() {
        if (source != null) {
            config.put("tidemark.source.jdbc-url", source);
        }
        ServerConfig server = ServerConfig.from(config.settings(Map.of()));
        SourceSettings settings = server.source().orElseThrow(() -> new ParameterException(spec.commandLine(),
                "name the database to check: --source jdbc:postgresql://HOST:PORT/DB (or tidemark.source.jdbc-url)"));
        List<Readiness.Finding> findings = Readiness.check(settings, server.capture());
        PrintWriter out = spec.commandLine().getOut();
        findings.forEach(finding -> out.println((finding.ok() ? "ok      " : "PROBLEM ") + finding.text()));
        boolean ready = findings.stream().allMatch(Readiness.Finding::ok);
        out.println(ready ? "ready for capture" : "not ready: fix the problems above");
        return ready ? 0 : 1;
    }
}
