package dev.tidemark.app.cli;

import dev.tidemark.app.config.ServerConfig;
import dev.tidemark.app.config.TidemarkSettings;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.cluster.NodeStatus;
import dev.tidemark.server.cluster.NodeTable;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.CaptureLeadership;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogs;
import dev.tidemark.server.spi.ClientProgress;
import dev.tidemark.server.spi.HistoryState;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tidemark status}: the history, the retained range, the capture leader, the server nodes (leader, standby or
 * gone, their clients and live lag) and every client's lag, from the change log.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the change log's history and retention, the capture leader, the server nodes (leader,"
                + " standby or gone; clients, live lag, heartbeat age) and each client's acknowledged position and lag.",
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
        PrintWriter out = spec.commandLine().getOut();
        if (!requireReachable(logConfig)) {
            out.println("no history yet: this database has no change log (schema tidemark); capture has not started"
                    + " on it");
            return 1;
        }
        // Read only: a status must not create or upgrade the schema under servers of another version.
        try (ChangeLog log = ChangeLogs.openForReading(settings.changeLog().provider(), logConfig)) {
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
            printNodes(out, nodes(logConfig));
            out.printf("%-36s %-18s %-14s %-10s %-25s %s%n", "client", "acked", "lag (bytes)", "connected", "last ack", "last error");
            log.progress().stream().sorted(Comparator.comparing(ClientProgress::ackedLsn)).forEach(client ->
                    out.printf("%-36s %-18s %-14s %-10s %-25s %s%n", client.clientId(), client.ackedLsn(),
                            lag(history.capturePosition(), client.ackedLsn()), client.connected() ? "yes" : "no",
                            client.lastAckAt() == null ? "-" : client.lastAckAt(),
                            client.lastError() == null ? "" : client.lastError()));
        }
        return 0;
    }

    /**
     * The nodes recorded in the change log's database ({@code tidemark.node}); empty for a change log that is not in
     * PostgreSQL or predates the table.
     */
    private static List<NodeStatus> nodes(Map<String, String> logConfig) {
        String url = logConfig.get("jdbcUrl");
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            return List.of();
        }
        SourceSettings database = new SourceSettings(url, logConfig.get("user"), logConfig.get("password"));
        try (Connection connection = database.connect()) {
            return NodeTable.exists(connection) ? NodeTable.list(connection) : List.of();
        } catch (SQLException e) {
            throw new IllegalArgumentException("cannot read the nodes from " + database.redactedUrl() + ": "
                    + e.getMessage(), e);
        }
    }

    /** One line per node (leader, standby or gone), then the clients of each live node. */
    static void printNodes(PrintWriter out, List<NodeStatus> nodes) {
        long gone = nodes.stream().filter(NodeStatus::gone).count();
        out.printf("nodes     %d running%s%n", nodes.size() - gone, gone == 0 ? "" : ", " + gone + " gone");
        if (nodes.isEmpty()) {
            return;
        }
        out.printf("%-40s %-32s %-8s %-8s %-16s %s%n", "node", "url", "part", "clients", "live lag (bytes)",
                "heartbeat");
        for (NodeStatus node : nodes) {
            String part = node.gone() ? "gone" : node.captureLeader() ? "leader" : "standby";
            out.printf("%-40s %-32s %-8s %-8s %-16s %s ago%n", node.name(), node.url(), part,
                    node.gone() ? "-" : String.valueOf(node.clientIds().size()),
                    node.gone() ? "-" : String.valueOf(node.liveLagBytes()), age(node.heartbeatAge()));
        }
        for (NodeStatus node : nodes) {
            if (!node.gone() && !node.clientIds().isEmpty()) {
                out.printf("clients of %s: %s%n", node.name(), String.join(", ", node.clientIds()));
            }
        }
    }

    private static String age(Duration age) {
        if (age.compareTo(Duration.ofMinutes(2)) < 0) {
            return String.format(Locale.ROOT, "%.1f s", age.toMillis() / 1000.0);
        }
        if (age.compareTo(Duration.ofHours(2)) < 0) {
            return age.toMinutes() + " min";
        }
        return age.toHours() + " h";
    }

    /** Fails at once with PostgreSQL's own message (a pool would wait 30 s and hide it). */
    /**
     * Connects once to a change log in PostgreSQL, so an unreachable database or a wrong role fails at once with
     * PostgreSQL's message; false when the database has no {@code tidemark} schema (true for other change logs).
     */
    private static boolean requireReachable(Map<String, String> logConfig) {
        String url = logConfig.get("jdbcUrl");
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            return true;
        }
        SourceSettings database = new SourceSettings(url, logConfig.get("user"), logConfig.get("password"));
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet schema = statement.executeQuery("SELECT to_regnamespace('tidemark') IS NOT NULL")) {
            schema.next();
            return schema.getBoolean(1);
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
