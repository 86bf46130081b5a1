package dev.tidemark.server.oracle;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.capture.CaptureMetrics;
import dev.tidemark.server.capture.CaptureService;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.oracle.RawJson.RawNumber;
import dev.tidemark.server.oracle.Schema.Column;
import dev.tidemark.server.oracle.Schema.Table;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogProvider;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * One seed of the source oracle: a fresh database, the real capture streaming it into the real
 * PostgreSQL change log, a seeded {@link Workload}, then the state rebuilt from the log
 * ({@link LogRebuild}) compared with the source's rows as PostgreSQL itself renders them
 * ({@code row_to_json}), column by column through the {@link Rule}s.
 */
final class OracleRun {

    /** The heartbeat prefix capture treats as a transaction to write at once (see TransactionAssembler). */
    private static final String HEARTBEAT_PREFIX = "tidemark.heartbeat";

    /** One column (or entity, when {@code column} is null) of one entity that is not equal to the source. */
    record Divergence(String table, String entityId, String column, Object source, Object ours, String why) {
        @Override
        public String toString() {
            return table + " " + entityId + (column == null ? "" : " ." + column) + ": " + why + "\n    source: "
                    + abbreviate(source) + "\n    log:    " + abbreviate(ours);
        }

        private static String abbreviate(Object value) {
            String text = String.valueOf(value);
            return text.length() > 300 ? text.substring(0, 300) + "... (" + text.length() + " characters)" : text;
        }
    }

    /**
     * What one seed did and found.
     *
     * @param known divergences that are a documented, expected gap (each says which)
     */
    record Result(long seed, long changes, long transactions, long keyChanges, long logChanges, long rows,
                  Map<String, Long> logCounts, List<Divergence> divergences, List<Divergence> known, Duration took,
                  String phases) {}

    private OracleRun() {}

    static Result run(SourceSettings source, long seed, long targetChanges, boolean bulk)
            throws SQLException, IOException {
        long began = System.nanoTime();
        String database = source.jdbcUrl().substring(source.jdbcUrl().lastIndexOf('/') + 1);
        try (ChangeLog log = openChangeLog(source); Connection connection = source.connect()) {
            try (Statement statement = connection.createStatement()) {
                for (String sql : Schema.SETUP) {
                    statement.execute(sql);
                }
                for (Table table : Schema.TABLES) {
                    for (String sql : Schema.createStatements(table)) {
                        statement.execute(sql);
                    }
                }
            }
            SourceRefusals.assertNulRefused(connection);
            CaptureSettings settings = CaptureSettings.builder().slotName("s_" + database).publicationName("p_" + database)
                    .tables(Schema.TABLES.stream().map(Table::name).toList()).heartbeatInterval(Duration.ofMillis(250))
                    .restartBackoff(Duration.ofMillis(100)).maxRestartBackoff(Duration.ofSeconds(1)).build();
            Workload workload = new Workload(seed);
            String phases;
            workload.run(connection, Math.max(50, targetChanges / 20), false, null);
            long preexisting = countRows(connection);
            connection.setAutoCommit(true);
            TableSnapshots snapshots = new TableSnapshots(source, settings.publicationName(), log);
            try (CaptureService capture = new CaptureService(settings, source, log, new ChangeFeed(),
                    new CaptureMetrics(new SimpleMeterRegistry()))) {
                capture.start();
                for (Table table : Schema.TABLES) {
                    snapshots.take(table.name());
                }
                long started = System.nanoTime();
                workload.run(connection, targetChanges, bulk, (table, before) -> snapshots.afterMarker(table, before));
                long written = System.nanoTime();
                connection.setAutoCommit(true);
                sync(connection, log);
                phases = String.format("setup %.1f s, workload %.1f s (statements %.1f s, commits %.1f s), capture lag"
                                + " %.1f s", (started - began) / 1e9, (written - started) / 1e9,
                        workload.statementNanos / 1e9, workload.commitNanos / 1e9, (System.nanoTime() - written) / 1e9);
            }
            long rebuilding = System.nanoTime();
            LogRebuild rebuild = LogRebuild.of(log, snapshots);
            List<Divergence> divergences = new ArrayList<>();
            List<Divergence> known = new ArrayList<>();
            rebuild.problems().forEach(p -> divergences.add(new Divergence("-", "-", null, null, null, p)));
            double rebuildSeconds = (System.nanoTime() - rebuilding) / 1e9;
            // Separately, the log applied to a real client store in batches; both compared in one pass over the source.
            long replaying = System.nanoTime();
            String storeSummary;
            long rows;
            double replaySeconds;
            Path directory = Files.createTempDirectory("tidemark-oracle-store");
            try (SyncStore store = SyncStores.open("sqlite", Map.of("path", directory.resolve("client.db").toString(),
                    "durability", "normal"))) {
                StoreReplay replay = StoreReplay.of(log, snapshots, store);
                replaySeconds = (System.nanoTime() - replaying) / 1e9;
                replay.problems().forEach(p -> divergences.add(new Divergence("-", "-", null, null, null, STORE + p)));
                rows = compare(connection, Map.of("", rebuild::entities, STORE, replay::entities), workload,
                        divergences, known);
                storeSummary = replay.summary();
            } finally {
                deleteTree(directory);
            }
            double compareSeconds = (System.nanoTime() - replaying) / 1e9 - replaySeconds;
            return new Result(seed, workload.changes(), workload.transactions(), workload.keyChanges(),
                    rebuild.changes(), rows, rebuild.counts(), divergences, known,
                    Duration.ofNanos(System.nanoTime() - began), phases + String.format(", rebuild %.1f s, store apply"
                                    + " %.1f s (%s), compare both %.1f s; %d rows before capture, %d schema changes, %s",
                            rebuildSeconds, replaySeconds, storeSummary, compareSeconds, preexisting,
                            workload.shapeChanges(), rebuild.refreshSummary()));
        }
    }

    private static long countRows(Connection connection) throws SQLException {
        long rows = 0;
        try (Statement statement = connection.createStatement()) {
            for (Table table : Schema.TABLES) {
                try (ResultSet result = statement.executeQuery("SELECT count(*) FROM " + table.name())) {
                    result.next();
                    rows += result.getLong(1);
                }
            }
        }
        return rows;
    }

    static ChangeLog openChangeLog(SourceSettings source) {
        ChangeLogProvider provider = ServiceLoader.load(ChangeLogProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("postgres")).findFirst().orElseThrow();
        return provider.open(source.asChangeLogConfig());
    }

    /** Commits a heartbeat and waits until capture made it durable: everything committed before is in the log. */
    private static void sync(Connection connection, ChangeLog log) throws SQLException {
        Lsn marker;
        try (PreparedStatement emit = connection.prepareStatement("SELECT pg_logical_emit_message(true, ?, 'oracle')::text")) {
            emit.setString(1, HEARTBEAT_PREFIX);
            try (ResultSet row = emit.executeQuery()) {
                row.next();
                marker = Lsn.parse(row.getString(1));
            }
        }
        await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(50))
                .until(() -> log.state().map(s -> s.capturePosition().isAfter(marker)).orElse(false));
    }

    /** What a divergence found in the real client store (not the log's rebuilt state) starts with. */
    static final String STORE = "real SQLite store: ";

    private static void deleteTree(Path directory) throws IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * Compares every source row with each state's entities (the log's rebuilt state, a real store's), column by
     * column, reading the source once. Each state's key starts the reasons of its divergences ("" for the log's).
     */
    @SuppressWarnings("unchecked")
    private static long compare(Connection connection, Map<String, Function<String, Map<String, Map<String, Object>>>> states,
                                Workload workload, List<Divergence> divergences, List<Divergence> known)
            throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET TimeZone = 'UTC'");
            statement.execute("SET DateStyle = 'ISO, YMD'");
            statement.execute("SET IntervalStyle = 'postgres'");
            statement.execute("SET bytea_output = 'hex'");
        }
        List<String> sides = new ArrayList<>(new java.util.TreeSet<>(states.keySet()));
        Map<String, List<Divergence>> found = new HashMap<>();
        Map<String, List<Divergence>> knownFound = new HashMap<>();
        sides.forEach(side -> {
            found.put(side, new ArrayList<>());
            knownFound.put(side, new ArrayList<>());
        });
        long rows = 0;
        for (Table table : workload.tables()) {
            Map<String, Map<String, Map<String, Object>>> left = new HashMap<>();
            sides.forEach(side -> left.put(side, new HashMap<>(states.get(side).apply(table.name()))));
            try (Statement statement = connection.createStatement()) {
                statement.setFetchSize(1000);
                connection.setAutoCommit(false);
                try (ResultSet result = statement.executeQuery("SELECT row_to_json(oracle_row)::text FROM " + table.name() + " oracle_row")) {
                    while (result.next()) {
                        rows++;
                        Map<String, Object> row = (Map<String, Object>) RawJson.parse(result.getString(1));
                        String id = entityId(table, row);
                        boolean moved = workload.movedKeepingToast().contains(table.name() + " " + keyLiterals(table, row));
                        for (String side : sides) {
                            Map<String, Object> ours = left.get(side).remove(id);
                            if (ours == null) {
                                found.get(side).add(new Divergence(table.name(), id, null, row, null,
                                        "missing from the log's state"));
                                continue;
                            }
                            compareRow(table, id, row, ours, moved, found.get(side), knownFound.get(side));
                        }
                    }
                }
                connection.commit();
                connection.setAutoCommit(true);
            }
            sides.forEach(side -> left.get(side).forEach((id, ours) -> found.get(side).add(new Divergence(table.name(),
                    id, null, null, ours, "in the log's state but not in the source"))));
        }
        for (String side : sides) {
            found.get(side).forEach(d -> divergences.add(side.isEmpty() ? d : new Divergence(d.table(), d.entityId(),
                    d.column(), d.source(), d.ours(), side + d.why())));
            knownFound.get(side).forEach(d -> known.add(side.isEmpty() ? d : new Divergence(d.table(), d.entityId(),
                    d.column(), d.source(), d.ours(), side + d.why())));
        }
        return rows;
    }

    private static void compareRow(Table table, String id, Map<String, Object> row, Map<String, Object> ours,
                                   boolean movedKeepingToast, List<Divergence> divergences, List<Divergence> known) {
        for (Column column : table.columns()) {
            Object sourceValue = row.get(column.name());
            if (!ours.containsKey(column.name())) {
                if (column.generated()) {
                    known.add(new Divergence(table.name(), id, column.name(), sourceValue, "(absent)",
                            "KNOWN: pgoutput of PostgreSQL before 18 does not send generated columns"));
                } else if (column.toast() && movedKeepingToast) {
                    divergences.add(new Divergence(table.name(), id, column.name(), sourceValue, "(absent)",
                            "a key change lost this unchanged TOASTed column (capture must emit move)"));
                } else {
                    divergences.add(new Divergence(table.name(), id, column.name(), sourceValue, "(absent)",
                            "column missing from the log's state"));
                }
                continue;
            }
            String why = Rule.compare(column.rule(), column.element(), sourceValue, ours.get(column.name()));
            if (why != null) {
                divergences.add(new Divergence(table.name(), id, column.name(), sourceValue, ours.get(column.name()),
                        column.type() + " " + why));
            }
        }
        for (String member : ours.keySet()) {
            if (!row.containsKey(member)) {
                divergences.add(new Divergence(table.name(), id, member, "(no such column)", ours.get(member),
                        "member that is not a column of the source"));
            }
        }
    }

    /** The entity id the protocol defines: the key as text, a composite key as a compact JSON array. */
    private static String entityId(Table table, Map<String, Object> row) {
        if (table.keyColumns() == 1) {
            return String.valueOf(row.get(table.columns().get(0).name()));
        }
        StringWriter out = new StringWriter();
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.writeStartArray();
            for (Column column : table.key()) {
                Object value = row.get(column.name());
                if (value instanceof RawNumber number) {
                    json.writeNumber(number.text());
                } else {
                    json.writeString((String) value);
                }
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The key as the workload wrote it (SQL literals). */
    private static List<String> keyLiterals(Table table, Map<String, Object> row) {
        List<String> key = new ArrayList<>();
        for (Column column : table.key()) {
            Object value = row.get(column.name());
            if (value instanceof RawNumber number) {
                key.add(number.text());
            } else if (column.type().equals("uuid")) {
                key.add(Values.quote((String) value) + "::uuid");
            } else {
                key.add(Values.quote((String) value));
            }
        }
        return key;
    }
}
