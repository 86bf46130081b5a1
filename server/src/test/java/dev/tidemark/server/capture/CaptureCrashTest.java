package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.LoggedChange;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills a capture server running in its own JVM with SIGKILL ({@code Process.destroyForcibly()}) at
 * random moments while writers commit transactions, restarts it each time, and then checks that the
 * change log holds exactly the committed transactions: each whole, in each writer's commit order, none
 * missing, none twice, and that replaying the log rebuilds the source table.
 *
 * <p>Short by default (3 kills). Longer on demand: {@code -Dtidemark.crash.kills=30}
 * ({@code -Dtidemark.crash.writers=3} for more concurrent writers, {@code -Dtidemark.crash.seed=N} to
 * repeat a run).
 */
@DisplayName("Capture survives kill -9")
class CaptureCrashTest {

    private static final Logger log = LoggerFactory.getLogger(CaptureCrashTest.class);

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private final int kills = Integer.getInteger("tidemark.crash.kills", 3);
    private final int writers = Integer.getInteger("tidemark.crash.writers", 2);
    private final long seed = Long.getLong("tidemark.crash.seed", System.nanoTime());

    /** What one committed transaction did: its xid and its changes as "type entityId", in order. */
    private record Committed(int writer, int number, long xid, List<String> changes) {}

    @Test
    @DisplayName("the change log equals the committed transactions after repeated kill -9 of the capture process")
    void killNine() throws Exception {
        log.info("crash test: {} kills, {} writers, seed {}", kills, writers, seed);
        Random random = new Random(seed);
        SourceSettings source = postgres.createDatabase();
        try (CaptureFixture fixture = new CaptureFixture(source)) {
            fixture.sql("CREATE TABLE ledger (id bigint PRIMARY KEY, writer int, n int, payload text)");
            String database = source.jdbcUrl().substring(source.jdbcUrl().lastIndexOf('/') + 1);
            List<String> command = List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), CaptureProcessMain.class.getName(),
                    source.jdbcUrl(), source.user(), "s_" + database, "p_" + database, "ledger", "200");
            Path logs = Files.createDirectories(Paths.get("target", "crash-test"));

            Map<Long, Committed> committed = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                long writerSeed = random.nextLong();
                Thread thread = new Thread(() -> {
                    try {
                        write(source, writer, new Random(writerSeed), stop, committed);
                    } catch (Throwable e) {
                        writerFailure.set(e);
                    }
                }, "writer-" + w);
                threads.add(thread);
            }

            Process capture = start(command, logs, 0);
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.log.state().isPresent());
            threads.forEach(Thread::start);
            int midTransaction = 0;
            for (int kill = 1; kill <= kills; kill++) {
                // A random moment: after capture wrote a random number of further changes.
                long target = countChanges(source) + 1 + random.nextInt(3_000);
                await().atMost(Duration.ofSeconds(120)).until(() -> countChanges(source) >= target
                        || writerFailure.get() != null);
                capture.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                boolean chunked = "t".equals(fixture.queryString(
                        "SELECT pending_lsn IS NOT NULL FROM tidemark.history_state"));
                midTransaction += chunked ? 1 : 0;
                log.info("crash test: kill {} at {} changes{}", kill, countChanges(source),
                        chunked ? ", a large transaction half written" : "");
                capture = start(command, logs, kill);
            }
            stop.set(true);
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(writerFailure.get()).isNull();
            fixture.sync();
            capture.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

            List<LoggedChange> changes = fixture.changes();
            verify(changes, committed);
            verifyReplay(changes, source);
            log.info("crash test passed: {} kills ({} with a large transaction half written), {} transactions,"
                    + " {} changes checked", kills, midTransaction, committed.size(), changes.size());
        }
    }

    private static Process start(List<String> command, Path logs, int run) throws IOException {
        File output = logs.resolve("capture-" + run + ".log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
    }

    private static long countChanges(SourceSettings source) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT count(*) FROM tidemark.change_history c,"
                        + " tidemark.history_state h WHERE c.lsn <= h.capture_position")) {
            row.next();
            return row.getLong(1);
        }
    }

    /** One writer: small transactions of inserts, updates and deletes, now and then a large one. */
    private static void write(SourceSettings source, int writer, Random random, AtomicBoolean stop,
                              Map<Long, Committed> committed) throws SQLException {
        long nextId = (writer + 1) * 1_000_000_000L;
        List<Long> live = new ArrayList<>();
        try (Connection connection = source.connect()) {
            connection.setAutoCommit(false);
            for (int number = 0; !stop.get(); number++) {
                List<String> changes = new ArrayList<>();
                long xid;
                try (Statement statement = connection.createStatement()) {
                    try (ResultSet row = statement.executeQuery("SELECT pg_current_xact_id()::text::bigint")) {
                        row.next();
                        xid = row.getLong(1) & 0xFFFF_FFFFL;
                    }
                    if (random.nextInt(100) == 0) {
                        long from = nextId;
                        int rows = 500 + random.nextInt(1_000);
                        statement.execute("INSERT INTO ledger SELECT i, " + writer + ", " + number + ", 'bulk ' || i"
                                + " FROM generate_series(" + from + ", " + (from + rows - 1) + ") i");
                        for (int i = 0; i < rows; i++) {
                            changes.add("UPDATE " + (from + i));
                            live.add(from + i);
                        }
                        nextId += rows;
                    } else {
                        int rows = 1 + random.nextInt(8);
                        StringBuilder insert = new StringBuilder("INSERT INTO ledger VALUES ");
                        for (int i = 0; i < rows; i++) {
                            long id = nextId++;
                            insert.append(i == 0 ? "" : ", ").append('(').append(id).append(", ").append(writer)
                                    .append(", ").append(number).append(", 'row ").append(id).append("')");
                            changes.add("UPDATE " + id);
                            live.add(id);
                        }
                        statement.execute(insert.toString());
                        if (live.size() > rows && random.nextBoolean()) {
                            long id = live.get(random.nextInt(live.size() - rows));
                            statement.execute("UPDATE ledger SET payload = 'updated in " + number + "' WHERE id = " + id);
                            changes.add("UPDATE " + id);
                        }
                        if (live.size() > rows && random.nextInt(4) == 0) {
                            long id = live.remove(random.nextInt(live.size() - rows));
                            statement.execute("DELETE FROM ledger WHERE id = " + id);
                            changes.add("DELETE " + id);
                        }
                    }
                }
                connection.commit();
                committed.put(xid, new Committed(writer, number, xid, changes));
            }
        }
    }

    private static void verify(List<LoggedChange> changes, Map<Long, Committed> committed) {
        Map<Lsn, List<LoggedChange>> byTransaction = new LinkedHashMap<>();
        for (LoggedChange change : changes) {
            byTransaction.computeIfAbsent(change.lsn(), lsn -> new ArrayList<>()).add(change);
        }
        Map<Long, Lsn> lsnOfXid = new HashMap<>();
        Map<Integer, Integer> lastNumberOfWriter = new HashMap<>();
        for (Map.Entry<Lsn, List<LoggedChange>> transaction : byTransaction.entrySet()) {
            List<LoggedChange> rows = transaction.getValue();
            long xid = rows.get(0).xid();
            assertThat(rows).as("one xid per commit LSN").extracting(LoggedChange::xid).containsOnly(xid);
            assertThat(rows).as("seq 0..n-1 at " + transaction.getKey()).extracting(LoggedChange::seq)
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, rows.size()).boxed().toList());
            assertThat(lsnOfXid.put(xid, transaction.getKey())).as("transaction " + xid + " appears once").isNull();
            Committed expected = committed.get(xid);
            assertThat(expected).as("transaction " + xid + " at " + transaction.getKey() + " was committed").isNotNull();
            assertThat(rows).extracting(c -> c.change().type() + " " + c.change().entityId())
                    .as("changes of transaction " + xid).containsExactlyElementsOf(expected.changes());
            Integer last = lastNumberOfWriter.put(expected.writer(), expected.number());
            assertThat(last == null || last < expected.number()).as("writer " + expected.writer()
                    + " transactions in commit order").isTrue();
        }
        assertThat(lsnOfXid.keySet()).as("every committed transaction is in the change log")
                .containsExactlyInAnyOrderElementsOf(committed.keySet());
    }

    /** Applying the change log in order rebuilds exactly the source table. */
    private static void verifyReplay(List<LoggedChange> changes, SourceSettings source) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> replayed = new HashMap<>();
        for (LoggedChange change : changes) {
            if (change.change().type() == ChangeType.DELETE) {
                replayed.remove(change.change().entityId());
            } else {
                JsonNode row = json.readTree(change.change().data());
                replayed.put(change.change().entityId(), row.get("payload").asText());
            }
        }
        Map<String, String> actual = new HashMap<>();
        try (Connection connection = source.connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT id, payload FROM ledger")) {
            while (rows.next()) {
                actual.put(Long.toString(rows.getLong(1)), rows.getString(2));
            }
        }
        assertThat(replayed).isEqualTo(actual);
    }
}
