package dev.tidemark.app.cli;

import dev.tidemark.app.config.SettingsLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code tidemark} command: the reference server and its tools. Without a subcommand it serves
 * ({@code tidemark --port 9000} is {@code tidemark serve --port 9000}).
 */
@Command(name = "tidemark",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Tidemark keeps client databases in sync with PostgreSQL, never losing or doubling a change.",
        footer = {"", "From a checkout, ./tidemark bench runs every hop's benchmark and prints one table"
                + " (./tidemark bench --help; docs/operations.md, Benchmarks)."},
        subcommands = {ServeCommand.class, TokenCommand.class, CheckCommand.class, StatusCommand.class, AuditCommand.class})
public final class TidemarkServer implements Callable<Integer> {

    private static final List<String> OWN_OPTIONS = List.of("-h", "--help", "-V", "--version");

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** The command line with every server subcommand; other artifacts add theirs (the demo). */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new TidemarkServer());
        commandLine.setExecutionExceptionHandler((exception, line, parsed) -> {
            line.getErr().println("tidemark: " + exception.getMessage());
            org.slf4j.LoggerFactory.getLogger(TidemarkServer.class).debug("failure", exception);
            return 2;
        });
        commandLine.getSubcommands().get("serve").getCommandSpec().usageMessage().footer(settingsFooter());
        return commandLine;
    }

    /** The settings {@code serve} reads, for its help. */
    static String[] settingsFooter() {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("Settings, in a file given with -c, as environment variables (tidemark.http.port is TIDEMARK_HTTP_PORT)"
                + " or with --set KEY=VALUE; docs/operations.md (Configuration reference) explains each:");
        List<String> keys = new ArrayList<>(SettingsLoader.keys());
        int half = (keys.size() + 1) / 2;
        for (int i = 0; i < half; i++) {
            String right = i + half < keys.size() ? keys.get(i + half) : "";
            lines.add(String.format("  %-38s%s", keys.get(i), right).stripTrailing());
        }
        lines.add("Durations: 500ms, 15s, 2m, 1h or ISO-8601 (PT15S). Sizes: 1024, 64KiB, 16MiB, 1GiB.");
        return lines.toArray(String[]::new);
    }

    /** Puts {@code serve} in front when no subcommand is named, so serving is the default. */
    public static String[] withDefaultCommand(CommandLine commandLine, String[] args) {
        if (args.length > 0 && (commandLine.getSubcommands().containsKey(args[0]) || OWN_OPTIONS.contains(args[0]))) {
            return args;
        }
        return Stream.concat(Stream.of("serve"), Stream.of(args)).toArray(String[]::new);
    }

    public static void main(String[] args) {
        CommandLine commandLine = commandLine();
        System.exit(commandLine.execute(withDefaultCommand(commandLine, args)));
    }
}
