package dev.tidemark.app.cli;

import dev.tidemark.app.config.ServerConfig;
import dev.tidemark.app.config.TidemarkSettings;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.CaptureLeadership;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogs;
import dev.tidemark.server.spi.ClientProgress;
import dev.tidemark.server.spi.HistoryState;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tidemark status}: the history, the retained range and every client's lag, from the change log. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the change log's history and retention, and each client's acknowledged position and lag.",
                "Needs only the change log's database: tidemark.changelog.jdbc-url, else tidemark.source.jdbc-url (for"
                        + " the running demo: -c .tidemark/demo/tidemark.properties)."})
public final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--source", paramLabel = "JDBC_URL",
            description = "the database holding the change log, user in the URL or in tidemark.source.user:"
                    + " jdbc:postgresql://HOST:PORT/DB?user=NAME (tidemark.source.jdbc-url)")
    String source;

    @Override
    public Integer call() {
        if (source != null) {
            config.put("tidemark.source.jdbc-url", source);
        }
        TidemarkSettings settings = config.load().settings();
        Map<String, String> logConfig = ServerConfig.changeLogConnection(settings.changeLog())
                .or(() -> ServerConfig.source(settings.source()).map(SourceSettings::asChangeLogConfig))
                .orElseThrow(() -> new ParameterException(spec.commandLine(), "status reads the change log of a server:"
                        + " give --source jdbc:postgresql://HOST:PORT/DB?user=NAME (or tidemark.changelog.jdbc-url,"
                        + " else tidemark.source.jdbc-url, in a config file given with -c); for the running demo:"
                        + " -c .tidemark/demo/tidemark.properties"));
        requireReachable(logConfig);
        PrintWriter out = spec.commandLine().getOut();
        try (ChangeLog log = ChangeLogs.open(settings.changeLog().provider(), logConfig)) {
            Optional<HistoryState> state = log.state();
            if (state.isEmpty()) {
                out.println("no history yet: capture has not started on this database");
                return 1;
            }
            HistoryState history = state.get();
            out.printf("history   %s%ncaptured  %s%nretained  after %s%n", history.historyId(), history.capturePosition(),
                    history.retainedFrom());
            log.leadership().flatMap(CaptureLeadership::current).ifPresent(leader -> out.printf(
                    "leader    %s (slot %s, epoch %d, since %s)%n", leader.node(), leader.slotName(), leader.epoch(),
                    leader.since()));
            out.printf("%-36s %-18s %-14s %-10s %-25s %s%n", "client", "acked", "lag (bytes)", "connected", "last ack", "last error");
            log.progress().stream().sorted(Comparator.comparing(ClientProgress::ackedLsn)).forEach(client ->
                    out.printf("%-36s %-18s %-14s %-10s %-25s %s%n", client.clientId(), client.ackedLsn(),
                            lag(history.capturePosition(), client.ackedLsn()), client.connected() ? "yes" : "no",
                            client.lastAckAt() == null ? "-" : client.lastAckAt(),
                            client.lastError() == null ? "" : client.lastError()));
        }
        return 0;
    }

    /** Fails at once with PostgreSQL's own message (a pool would wait 30 s and hide it). */
    private static void requireReachable(Map<String, String> logConfig) {
        String url = logConfig.get("jdbcUrl");
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            return;
        }
        SourceSettings database = new SourceSettings(url, logConfig.get("user"), logConfig.get("password"));
        try (Connection ignored = database.connect()) {
            // reachable
        } catch (SQLException e) {
            throw new IllegalArgumentException("cannot connect to " + database.redactedUrl()
                    + (database.user() == null ? "" : " as " + database.user()) + ": " + e.getMessage(), e);
        }
    }

    static String lag(Lsn server, Lsn client) {
        if (!server.isAfter(client)) {
            return "0";
        }
        return new BigInteger(Long.toUnsignedString(server.value())).subtract(new BigInteger(Long.toUnsignedString(client.value())))
                .toString();
    }
}
