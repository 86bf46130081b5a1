package dev.tidemark.server.cli;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogs;
import dev.tidemark.server.spi.ClientProgress;
import dev.tidemark.server.spi.HistoryState;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tidemark status}: the history, the retained range and every client's lag, from the change log. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the change log's history and retention, and each client's acknowledged position and lag.")
public final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Override
    public Integer call() {
        ServerConfig server = ServerConfig.from(config.settings(Map.of()));
        Map<String, String> logConfig = server.changeLogConfig()
                .or(() -> server.source().map(source -> source.asChangeLogConfig()))
                .orElseThrow(() -> new ParameterException(spec.commandLine(), "status reads the change log of a running"
                        + " server: give tidemark.source.jdbc-url (or tidemark.changelog.jdbc-url); for the demo's"
                        + " embedded database the demo prints its URL"));
        PrintWriter out = spec.commandLine().getOut();
        try (ChangeLog log = ChangeLogs.open(server.changeLogProvider(), logConfig)) {
            Optional<HistoryState> state = log.state();
            if (state.isEmpty()) {
                out.println("no history yet: capture has not started on this database");
                return 1;
            }
            HistoryState history = state.get();
            out.printf("history   %s%ncaptured  %s%nretained  after %s%n", history.historyId(), history.capturePosition(),
                    history.retainedFrom());
            out.printf("%-36s %-18s %-14s %-10s %-25s %s%n", "client", "acked", "lag (bytes)", "connected", "last ack", "last error");
            log.progress().stream().sorted(Comparator.comparing(ClientProgress::ackedLsn)).forEach(client ->
                    out.printf("%-36s %-18s %-14s %-10s %-25s %s%n", client.clientId(), client.ackedLsn(),
                            lag(history.capturePosition(), client.ackedLsn()), client.connected() ? "yes" : "no",
                            client.lastAckAt() == null ? "-" : client.lastAckAt(),
                            client.lastError() == null ? "" : client.lastError()));
        }
        return 0;
    }

    static String lag(Lsn server, Lsn client) {
        if (!server.isAfter(client)) {
            return "0";
        }
        return new BigInteger(Long.toUnsignedString(server.value())).subtract(new BigInteger(Long.toUnsignedString(client.value())))
                .toString();
    }
}
