package dev.tidemark.app;

import dev.tidemark.app.demo.DemoCommand;
import dev.tidemark.app.demo.DemoPostgresCommand;
import dev.tidemark.app.cli.TidemarkServer;
import picocli.CommandLine;

/** The runnable reference server: every server command plus the demo. */
public final class Tidemark {

    private Tidemark() {}

    public static void main(String[] args) {
        CommandLine commandLine = TidemarkServer.commandLine();
        commandLine.addSubcommand("demo", new DemoCommand());
        commandLine.addSubcommand("demo-postgres", new DemoPostgresCommand());
        System.exit(commandLine.execute(TidemarkServer.withDefaultCommand(commandLine, args)));
    }
}
