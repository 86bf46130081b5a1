package dev.tidemark.client.cli;

import dev.tidemark.client.AckMode;
import dev.tidemark.client.ClientStoppedException;
import dev.tidemark.client.StoreVerification;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.VerifyRefusedException;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code tidemark-client}: syncs a Tidemark server into a local store and shows progress. */
@Command(name = "tidemark-client",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Syncs a Tidemark server into a local store — a SQLite file by default, or any store by name — and"
                    + " shows progress: state, committed LSN, server LSN, lag, changes/s.",
            "Each batch is applied in one store transaction and acknowledged only after its commit; a restart"
                    + " resumes from the store's committed LSN.",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:caught up (--once), or stopped with Ctrl-C",
            "1:the server refused the client, or the store could not be opened",
            "2:bad options",
            "3:the server cannot continue from the store's position: sync into a new store",
            "4:--once did not catch up within --timeout",
            "5:--verify-source: the store differed from the source and the differing entities were repaired",
            "6:--verify-source: the verify against the source could not be completed (nothing was changed)"})
public final class TidemarkClientCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-s", "--server"}, paramLabel = "URL", split = ",",
            defaultValue = "${env:TIDEMARK_SERVER:-ws://localhost:8080/sync}",
            description = "The server's sync endpoint, ws:// or wss:// (env TIDEMARK_SERVER). For several nodes of one"
                    + " deployment, repeat the option or separate the URLs with commas: the client moves to the next"
                    + " when one fails. Behind a load balancer one URL is enough. Default: ${DEFAULT-VALUE}")
    List<String> servers;

    @Option(names = {"-t", "--token"}, paramLabel = "TOKEN", defaultValue = "${env:TIDEMARK_TOKEN}",
            description = "The bearer token naming this client (env TIDEMARK_TOKEN).")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Read the token from FILE.")
    Path tokenFile;

    @Option(names = "--client-id", paramLabel = "ID",
            description = "The client id; it must match the token's. Default: the id the token names.")
    String clientId;

    @Option(names = "--store", paramLabel = "NAME", defaultValue = "sqlite",
            description = "The store to sync into, by name (sqlite, postgres, or a plugin's). Default: ${DEFAULT-VALUE}")
    String store;

    @Option(names = {"-f", "--file"}, paramLabel = "PATH",
            description = "The SQLite file (the sqlite store's 'path' setting). Default: tidemark-client.db")
    Path file;

    @Option(names = {"-S", "--store-setting"}, paramLabel = "KEY=VALUE",
            description = "A setting of the store, repeatable: -S jdbcUrl=jdbc:postgresql://… -S durability=normal."
                    + " --store-help NAME lists a store's settings.")
    Map<String, String> storeSettings = new LinkedHashMap<>();

    @Option(names = "--store-help", paramLabel = "NAME",
            description = "List the settings the store NAME takes (name, type, default, secret or not) and exit.")
    String storeHelp;

    @Option(names = "--subscribe", paramLabel = "TYPE", split = ",",
            description = "The entity types to sync (tables, schema.table outside public). Default: all the token permits.")
    List<String> subscriptions = new ArrayList<>();

    @Option(names = "--once", description = "Stop once caught up with the server.")
    boolean once;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "With --once: give up after this long: 30s, 2m, 1h or ISO-8601 (PT30S). Default: ${DEFAULT-VALUE}")
    String timeoutText;

    private Duration timeout;

    @Option(names = "--verify", description = "With --once: after catching up, ask the server to verify the store's position and checksum.")
    boolean verify;

    @Option(names = "--verify-source", description = "Catch up (like --once), then compare the store with the source"
            + " database itself and repair exactly the entities that differ; exit 0 when it agrees, 5 when entities"
            + " were repaired, 6 when the verify failed.")
    boolean verifySource;

    @Option(names = "--progress", paramLabel = "SECONDS", defaultValue = "2",
            description = "Seconds between progress lines; 0 for none. Default: ${DEFAULT-VALUE}")
    int progressSeconds;

    @Option(names = "--eager-lsn",
            description = "UNSAFE fallback: the pre-ack behaviour (no acks, position taken on receipt). Only for servers"
                    + " that cannot take acks.")
    boolean eager;

    @Option(names = "--compression", description = "Offer permessage-deflate: the server compresses what it sends when"
            + " it agrees (tidemark.http.compression); saves most of the bytes of a catch-up over slow links.")
    boolean compression;

    @Option(names = {"-q", "--quiet"}, description = "Log warnings and errors only.")
    boolean quiet;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with its exception handling; for tests and {@link #main}. */
    public static CommandLine commandLine() {
        return new CommandLine(new TidemarkClientCommand())
                .setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
                    commandLine.getErr().println("tidemark-client: " + exception.getMessage());
                    return ExitCode.FAILED;
                });
    }

    @Override
    public Integer call() throws Exception {
        if (storeHelp != null) {
            return storeHelp();
        }
        configureLogging();
        if (verifySource) {
            once = true;
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TidemarkClient.Builder builder = TidemarkClient.builder()
                .store(store, settings())
                .subscriptions(subscriptions)
                .ackMode(eager ? AckMode.EAGER : AckMode.AFTER_COMMIT)
                .compression(compression);
        String bearer = token();
        if (bearer != null) {
            builder.token(bearer);
        }
        if (clientId != null) {
            builder.clientId(clientId);
        }
        TidemarkClient client;
        try {
            builder.serverUrls(servers);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "bad --server: " + e.getMessage());
        }
        try {
            timeout = Durations.parse(timeoutText);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "bad --timeout: " + e.getMessage());
        }
        try {
            client = builder.build();
        } catch (SyncStoreException | IllegalArgumentException e) {
            err.println("tidemark-client: " + e.getMessage());
            return ExitCode.FAILED;
        }
        if (bearer == null) {
            err.println("tidemark-client: no token given (--token, --token-file or TIDEMARK_TOKEN); a server with auth"
                    + " on refuses the client");
        }
        Thread closer = new Thread(client::close, "tidemark-client-shutdown");
        Runtime.getRuntime().addShutdownHook(closer);
        try {
            client.start();
            out.println("syncing " + String.join(", ", servers) + " into store '" + store + "' as client '" + client.clientId() + "'"
                    + (eager ? " (eager mode: UNSAFE)" : ""));
            out.flush();
            CompletableFuture<ClientStoppedException> stopped = client.stopped();
            int code = run(client, stopped, out);
            if (code == ExitCode.RESYNC_REQUIRED || code == ExitCode.FAILED) {
                try {
                    err.println("tidemark-client: " + stopped.get(10, TimeUnit.SECONDS).getMessage());
                } catch (TimeoutException | ExecutionException e) {
                    err.println("tidemark-client: the client stopped (" + client.status().state() + ")");
                }
            }
            return code;
        } finally {
            client.close();
            try {
                Runtime.getRuntime().removeShutdownHook(closer);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or ran: the client is closed either way
            }
            out.flush();
        }
    }

    private int run(TidemarkClient client, CompletableFuture<ClientStoppedException> stopped, PrintWriter out)
            throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Progress progress = new Progress(start);
        CompletableFuture<?> done = once ? CompletableFuture.anyOf(client.caughtUp(), stopped) : stopped;
        long interval = progressSeconds > 0 ? TimeUnit.SECONDS.toNanos(progressSeconds) : Long.MAX_VALUE;
        while (true) {
            long wait = once ? Math.min(interval, deadline - System.nanoTime()) : interval;
            try {
                done.get(Math.max(0, wait), TimeUnit.NANOSECONDS);
                break;
            } catch (TimeoutException e) {
                if (progressSeconds > 0) {
                    out.println(progress.line(client.status(), System.nanoTime()));
                    out.flush();
                }
                if (once && System.nanoTime() - deadline >= 0) {
                    SyncStatus late = client.status();
                    out.println("not caught up within " + timeoutText + ": " + progress.line(late, System.nanoTime()));
                    if (!late.incompleteEntityTypes().isEmpty()) {
                        out.println("not caught up: the server cannot capture " + String.join(", ", late.incompleteEntityTypes())
                                + " correctly now (see `tidemark status` and the server log for the fix)");
                    }
                    return ExitCode.TIMEOUT;
                }
            } catch (ExecutionException e) {
                break; // caughtUp() failed because the client stopped; the state says why
            }
        }
        SyncStatus status = client.status();
        if (status.state() == ClientState.RESYNC_REQUIRED) {
            return ExitCode.RESYNC_REQUIRED;
        }
        if (status.state() == ClientState.FAILED) {
            return ExitCode.FAILED;
        }
        if (status.state() == ClientState.CLOSED) {
            return ExitCode.OK; // Ctrl-C
        }
        out.println("caught up at " + status.committedLsn() + " (server at " + status.serverLsn() + "): "
                + String.format("%,d", status.appliedChanges()) + " changes in "
                + String.format("%,d", status.appliedBatches()) + " batches");
        if (verify) {
            StoreVerification result;
            try {
                result = verifyWaitingForTheRateLimit(client, out);
            } catch (ExecutionException e) {
                return client.status().state() == ClientState.RESYNC_REQUIRED ? ExitCode.RESYNC_REQUIRED : ExitCode.FAILED;
            }
            out.println("verify: " + result.outcome().name().toLowerCase(java.util.Locale.ROOT) + " at " + result.position()
                    + " (server at " + result.serverLsn() + ")");
            if (client.status().state() == ClientState.RESYNC_REQUIRED) {
                return ExitCode.RESYNC_REQUIRED;
            }
        }
        if (verifySource) {
            return verifySource(client, out, deadline);
        }
        return ExitCode.OK;
    }

    /**
     * {@code --verify}: a verify the server refused because the client's previous one was too recent (a client
     * that recovered an interrupted apply at start verified it already) is asked again a second later, at most
     * {@value #VERIFY_TRIES} times.
     */
    private static StoreVerification verifyWaitingForTheRateLimit(TidemarkClient client, PrintWriter out)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.verify().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof VerifyRefusedException refused) || attempt == VERIFY_TRIES) {
                    throw e;
                }
                out.println("verify: " + refused.getMessage() + "; asking again in 1 s");
                out.flush();
                CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS)).get();
            }
        }
    }

    private static final int VERIFY_TRIES = 5;

    /** {@code --verify-source}: prints the steps as they happen and the outcome; the exit code says it. */
    private int verifySource(TidemarkClient client, PrintWriter out, long deadline) throws Exception {
        out.println("verifying the store against the source...");
        out.flush();
        dev.tidemark.client.SourceVerification result;
        try {
            result = client.verifySource(List.of(), step -> {
                synchronized (out) {
                    out.println("  " + step);
                    out.flush();
                }
            }).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            out.println("verify-source: failed: " + e.getCause().getMessage());
            return ExitCode.SOURCE_VERIFY_FAILED;
        } catch (TimeoutException e) {
            out.println("verify-source: no result within " + timeoutText + " (--timeout)");
            return ExitCode.SOURCE_VERIFY_FAILED;
        }
        out.println("verify-source: " + result);
        result.repaired().forEach((type, ids) -> out.println("  repaired " + type + ": " + (ids.size() <= 20
                ? String.join(", ", ids) : String.join(", ", ids.subList(0, 20)) + " and " + (ids.size() - 20) + " more")));
        return switch (result.outcome()) {
            case AGREED -> ExitCode.OK;
            case REPAIRED -> ExitCode.SOURCE_REPAIRED;
            case FAILED -> ExitCode.SOURCE_VERIFY_FAILED;
        };
    }

    /** {@code --store-help NAME}: the settings the store declares, one a line, as {@code -S} takes them. */
    private int storeHelp() {
        List<String> lines;
        try {
            lines = SyncStores.settingsHelp(storeHelp);
        } catch (SyncStoreException e) {
            throw new ParameterException(spec.commandLine(), "bad --store-help: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("settings of store '" + storeHelp + "' (give them with -S KEY=VALUE):");
        if (lines.isEmpty()) {
            out.println("  none");
        }
        lines.forEach(line -> out.println("  " + line));
        out.flush();
        return ExitCode.OK;
    }

    private Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>(storeSettings);
        if (file != null) {
            if (!store.equals("sqlite")) {
                throw new ParameterException(spec.commandLine(),
                        "--file is the SQLite file; for store '" + store + "' give its settings with -S KEY=VALUE");
            }
            settings.put("path", file.toString());
        } else if (store.equals("sqlite") && !settings.containsKey("path")) {
            settings.put("path", "tidemark-client.db");
        }
        return settings;
    }

    private String token() throws IOException {
        if (tokenFile != null) {
            if (token != null && spec.commandLine().getParseResult().hasMatchedOption("--token")) {
                throw new ParameterException(spec.commandLine(), "give either --token or --token-file, not both");
            }
            return Files.readString(tokenFile).trim();
        }
        return token;
    }

    private void configureLogging() {
        // slf4j-simple reads these once, when the first logger is made; set them before that.
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", quiet ? "warn" : "info");
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
