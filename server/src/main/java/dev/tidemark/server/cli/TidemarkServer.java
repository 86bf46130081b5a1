package dev.tidemark.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tidemark} command: the reference server and its tools. Without a subcommand it serves.
 */
@Command(name = "tidemark",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Tidemark keeps client databases in sync with PostgreSQL, never losing or doubling a change.",
        subcommands = {ServeCommand.class, TokenCommand.class, CheckCommand.class, StatusCommand.class})
public final class TidemarkServer extends ServeCommand {

    /** The command line with every server subcommand; other artifacts add theirs (the demo). */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new TidemarkServer());
        commandLine.setExecutionExceptionHandler((exception, line, parsed) -> {
            line.getErr().println("tidemark: " + exception.getMessage());
            org.slf4j.LoggerFactory.getLogger(TidemarkServer.class).debug("failure", exception);
            return 2;
        });
        return commandLine;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
