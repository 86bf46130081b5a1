package dev.tidemark.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Random;

/**
 * The live system the fuzzer attacks: PostgreSQL, the packaged server (default settings: handshake timeout 10 s)
 * and an observer client that must be unaffected.
 */
final class FuzzTarget implements AutoCloseable {

    static final String FUZZ_CLIENT = "fuzz";

    final PostgresProcess postgres;
    final ServerProcess server;
    final ClientProcess observer;
    final String token;
    final Writer writer;
    final Path directory;

    FuzzTarget(Path directory) throws Exception {
        this.directory = directory;
        ChaosRun.deleteRecursively(directory);
        Files.createDirectories(directory);
        ChaosSettings settings = ChaosSettings.fromSystemProperties();
        postgres = PostgresProcess.create(directory.resolve("postgres"), ChaosRun.freePort());
        try (Connection admin = postgres.connect("postgres"); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE fuzz");
        }
        writer = new Writer(postgres, "fuzz", new Random(1), Ops.DEFAULT);
        try (Connection source = postgres.connect("fuzz")) {
            Writer.createSchema(source, Ops.DEFAULT, new Random(1), writer.model());
        }
        server = new ServerProcess(settings.appJar(), directory, postgres.jdbcUrl("fuzz"), "fuzz", ChaosRun.freePort(),
                List.of());
        server.startAndAwaitServing();
        writer.openAccounts();
        for (int i = 0; i < 20; i++) {
            writer.step();
        }
        token = server.token(FUZZ_CLIENT, directory);
        observer = new ClientProcess("observer", settings.cliJar(), server.token("observer", directory), server.port(), directory);
        observer.process().start();
    }

    long historyRows() throws Exception {
        try (Connection source = postgres.connect("fuzz"); Statement statement = source.createStatement();
             ResultSet row = statement.executeQuery("SELECT count(*) FROM tidemark.change_history")) {
            row.next();
            return row.getLong(1);
        }
    }

    /** The fuzz client's acknowledged position as the server recorded it, and the head of the change log. */
    boolean fuzzProgressWithinHistory() throws Exception {
        try (Connection source = postgres.connect("fuzz"); Statement statement = source.createStatement();
             ResultSet row = statement.executeQuery("SELECT coalesce(bool_and(p.acked_lsn <= coalesce("
                     + "(SELECT max(lsn) FROM tidemark.change_transaction), '0/0'::pg_lsn) OR p.acked_lsn = '0/0'), true)"
                     + " FROM tidemark.client_progress p WHERE p.client_id = '" + FUZZ_CLIENT + "'")) {
            row.next();
            return row.getBoolean(1);
        }
    }

    long currentWal() throws Exception {
        try (Connection source = postgres.connect("fuzz"); Statement statement = source.createStatement();
             ResultSet row = statement.executeQuery("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")) {
            row.next();
            return row.getLong(1);
        }
    }

    @Override
    public void close() throws Exception {
        observer.close();
        server.process().terminate();
        postgres.close();
    }
}
