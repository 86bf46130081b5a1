package dev.tidemark.server.changelog.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.hub.testing.InMemoryChangeLog;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogException;
import dev.tidemark.server.spi.ChangeLogProvider;
import dev.tidemark.server.spi.ClientProgress;
import dev.tidemark.server.spi.HistoryState;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.TableRefresh;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The postgres change log")
class PostgresChangeLogTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final Instant T = Instant.parse("2024-05-06T07:08:09.123456Z");
    private static final Lsn L1 = Lsn.parse("0/100");
    private static final Lsn L2 = Lsn.parse("0/200");
    private static final Lsn L3 = Lsn.parse("0/300");
    private static final Lsn L4 = Lsn.parse("0/400");

    private SourceSettings database;
    private ChangeLog log;

    @BeforeEach
    void open() {
        database = postgres.createDatabase();
        log = provider().open(database.asChangeLogConfig());
    }

    @AfterEach
    void close() {
        log.close();
    }

    static ChangeLogProvider provider() {
        return ServiceLoader.load(ChangeLogProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("postgres"))
                .findFirst().orElseThrow();
    }

    static LoggedChange change(Lsn lsn, int seq, String table, String id) {
        return new LoggedChange(lsn, seq, 7, Change.update(table, id, "{\"id\":" + id + ",\"note\":\"a\\tb\\nc\\\\d é 😀\"}", T));
    }

    static List<LoggedChange> transaction(Lsn lsn, int size, String table) {
        List<LoggedChange> changes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            changes.add(change(lsn, i, table, Integer.toString(i)));
        }
        return changes;
    }

    private List<LoggedChange> readAll() {
        return log.read(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of(), 1_000_000);
    }

    private long rows(String table) throws SQLException {
        try (Connection c = database.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
            r.next();
            return r.getLong(1);
        }
    }

    @Nested
    @DisplayName("opening")
    class Opening {

        @Test
        @DisplayName("creates schema tidemark at the latest version, and reopening changes nothing")
        void migrates() throws SQLException {
            provider().open(database.asChangeLogConfig()).close();
            try (Connection c = database.connect(); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT version::int, success FROM tidemark.flyway_schema_history"
                            + " WHERE version IS NOT NULL ORDER BY installed_rank")) {
                List<Integer> versions = new ArrayList<>();
                while (r.next()) {
                    assertThat(r.getBoolean(2)).isTrue();
                    versions.add(r.getInt(1));
                }
                assertThat(versions).containsExactly(1, 2, 3, 4, 5, 6, 7);
            }
            provider().open(database.asChangeLogConfig()).close();
            try (Connection c = database.connect()) {
                assertThat(Migrations.currentVersion(c)).isEqualTo(7);
                try (Statement s = c.createStatement();
                        ResultSet r = s.executeQuery(
                                "SELECT count(*) FROM tidemark.flyway_schema_history WHERE version IS NOT NULL")) {
                    r.next();
                    assertThat(r.getInt(1)).as("reopening applies nothing").isEqualTo(7);
                }
            }
            assertThat(log.state()).isEmpty();
        }

        @Test
        @DisplayName("refuses a schema newer than the server knows")
        void refusesNewerSchema() throws SQLException {
            try (Connection c = database.connect(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO tidemark.flyway_schema_history (installed_rank, version, description, type,"
                        + " script, checksum, installed_by, execution_time, success)"
                        + " VALUES (99, '99', 'future', 'SQL', 'V99__future.sql', 0, current_user, 0, true)");
            }
            assertThatThrownBy(() -> provider().open(database.asChangeLogConfig()))
                    .isInstanceOf(ChangeLogException.class)
                    .hasMessageContaining("version 99")
                    .hasMessageContaining("knows versions up to 7");
        }

        @Test
        @DisplayName("keeps the version record of servers before Flyway in step, so such a server refuses a newer schema")
        void recordsTheVersionForOlderServers() throws SQLException {
            provider().open(database.asChangeLogConfig()).close();
            try (Connection c = database.connect(); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT max(version), count(*) FROM tidemark.schema_version")) {
                r.next();
                assertThat(r.getInt(1)).isEqualTo(7);
                assertThat(r.getInt(2)).isEqualTo(7);
            }
        }

        @Test
        @DisplayName("refuses a log of a server before Flyway whose recorded version is newer than the server knows")
        void refusesNewerLegacySchema() throws SQLException {
            try (Connection c = database.connect(); Statement s = c.createStatement()) {
                LegacySchema.recordVersion(c, 4);
                s.execute("INSERT INTO tidemark.schema_version (version, description) VALUES (99, 'future')");
            }
            assertThatThrownBy(() -> provider().open(database.asChangeLogConfig()))
                    .isInstanceOf(ChangeLogException.class)
                    .hasMessageContaining("version 99")
                    .hasMessageContaining("knows versions up to 7");
            try (Connection c = database.connect(); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT to_regclass('tidemark.flyway_schema_history') IS NULL")) {
                r.next();
                assertThat(r.getBoolean(1)).as("a refused log is left as it was").isTrue();
            }
        }

        @Test
        @DisplayName("a log of a server before Flyway at its latest version (4) is baselined there and applies only the newer scripts")
        void baselinesLegacySchema() throws SQLException {
            try (Connection c = database.connect()) {
                LegacySchema.recordVersion(c, 4);
            }
            provider().open(database.asChangeLogConfig()).close();
            try (Connection c = database.connect(); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT version, type FROM tidemark.flyway_schema_history"
                            + " WHERE version IS NOT NULL ORDER BY installed_rank")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString(1)).isEqualTo("4");
                assertThat(r.getString(2)).isEqualTo("BASELINE");
                assertThat(r.next()).isTrue();
                assertThat(r.getString(1)).isEqualTo("5");
                assertThat(r.getString(2)).isEqualTo("SQL");
                assertThat(r.next()).isTrue();
                assertThat(r.getString(1)).isEqualTo("6");
                assertThat(r.getString(2)).isEqualTo("SQL");
                assertThat(r.next()).isTrue();
                assertThat(r.getString(1)).isEqualTo("7");
                assertThat(r.getString(2)).isEqualTo("SQL");
                assertThat(r.next()).isFalse();
            }
        }

        @Test
        @DisplayName("rejects unknown settings, a missing URL and a bad pool size, naming the problem")
        void rejectsBadSettings() {
            Map<String, String> unknown = new HashMap<>(database.asChangeLogConfig());
            unknown.put("jdbcURL", "x");
            assertThatThrownBy(() -> provider().open(unknown)).hasMessageContaining("jdbcURL").hasMessageContaining("known");
            assertThatThrownBy(() -> provider().open(Map.of())).hasMessageContaining("jdbcUrl");
            Map<String, String> pool = new HashMap<>(database.asChangeLogConfig());
            pool.put("poolSize", "many");
            assertThatThrownBy(() -> provider().open(pool)).hasMessageContaining("poolSize");
        }
    }

    @Nested
    @DisplayName("appending")
    class Appending {

        @BeforeEach
        void start() {
            log.startHistory("h1", Lsn.parse("0/50"));
        }

        @Test
        @DisplayName("refuses to append before a history is started")
        void needsHistory() {
            ChangeLog fresh = provider().open(postgres.createDatabase().asChangeLogConfig());
            try (fresh) {
                assertThatThrownBy(() -> fresh.append(transaction(L1, 1, "t"), Optional.of(L1)))
                        .isInstanceOf(ChangeLogException.class).hasMessageContaining("no history");
            }
        }

        @Test
        @DisplayName("stores changes exactly and moves the capture position in the same step")
        void appendsAndMoves() {
            List<LoggedChange> changes = new ArrayList<>(transaction(L1, 3, "orders"));
            changes.addAll(transaction(L2, 2, "sales.items"));
            log.append(changes, Optional.of(L2));
            assertThat(readAll()).containsExactlyElementsOf(changes);
            assertThat(log.state()).contains(new HistoryState("h1", L2, Lsn.ZERO));
        }

        @Test
        @DisplayName("absorbs a replay of transactions already in the log")
        void idempotent() throws SQLException {
            log.append(transaction(L1, 3, "t"), Optional.of(L1));
            List<LoggedChange> replay = new ArrayList<>(transaction(L1, 3, "t"));
            replay.addAll(transaction(L2, 1, "t"));
            log.append(replay, Optional.of(L2));
            log.append(replay, Optional.of(L2));
            assertThat(readAll()).hasSize(4);
            assertThat(rows("tidemark.change_history")).isEqualTo(4);
            assertThat(rows("tidemark.change_transaction")).isEqualTo(2);
        }

        @Test
        @DisplayName("never shows a transaction written in chunks until the chunk that moves the position past it")
        void chunks() {
            List<LoggedChange> big = transaction(L2, 10, "t");
            log.append(transaction(L1, 1, "t"), Optional.of(L1));
            log.append(big.subList(0, 4), Optional.empty());
            log.append(big.subList(4, 8), Optional.empty());
            assertThat(readAll()).hasSize(1);
            assertThat(log.state().orElseThrow().capturePosition()).isEqualTo(L1);
            assertThat(log.nextTransaction(L1, Lsn.MAX, Set.of())).isEmpty();
            log.append(big.subList(8, 10), Optional.of(L2));
            assertThat(readAll()).hasSize(11);
            assertThat(log.checksumThrough(L2)).hasValue(Checksum.of(changesOf(readAll())));
        }

        @Test
        @DisplayName("absorbs a replay of a transaction whose chunks were partly written before a crash")
        void replayOfChunks() {
            List<LoggedChange> big = transaction(L2, 10, "t");
            log.append(big.subList(0, 3), Optional.empty());
            log.append(big.subList(3, 6), Optional.empty());
            // restart: the slot replays the whole transaction from seq 0, in other chunk sizes
            log.append(big.subList(0, 4), Optional.empty());
            log.append(big.subList(4, 10), Optional.of(L2));
            assertThat(readAll()).containsExactlyElementsOf(big);
            assertThat(log.checksumThrough(L2)).hasValue(Checksum.of(changesOf(big)));
        }

        @Test
        @DisplayName("may end a chunked transaction with a position-only append")
        void positionOnlyEnd() {
            List<LoggedChange> big = transaction(L2, 5, "t");
            log.append(big, Optional.empty());
            log.append(List.of(), Optional.of(L3));
            assertThat(readAll()).containsExactlyElementsOf(big);
            assertThat(log.checksumThrough(L3)).hasValue(Checksum.of(changesOf(big)));
        }

        @Test
        @DisplayName("rejects a gap inside a transaction and writes nothing")
        void rejectsGap() throws SQLException {
            List<LoggedChange> changes = new ArrayList<>(transaction(L1, 2, "t"));
            changes.add(change(L1, 3, "t", "3"));
            assertThatThrownBy(() -> log.append(changes, Optional.of(L1)))
                    .isInstanceOf(ChangeLogException.class).hasMessageContaining("gap");
            assertThat(rows("tidemark.change_history")).isZero();
            assertThat(log.state().orElseThrow().capturePosition()).isEqualTo(Lsn.parse("0/50"));
        }

        @Test
        @DisplayName("rejects changes out of commit order")
        void rejectsDisorder() {
            List<LoggedChange> changes = new ArrayList<>(transaction(L2, 1, "t"));
            changes.addAll(transaction(L1, 1, "t"));
            assertThatThrownBy(() -> log.append(changes, Optional.of(L2))).hasMessageContaining("order");
        }

        @Test
        @DisplayName("rejects two incomplete transactions at once")
        void rejectsTwoPending() {
            log.append(transaction(L2, 2, "t"), Optional.empty());
            assertThatThrownBy(() -> log.append(transaction(L3, 2, "t"), Optional.empty()))
                    .hasMessageContaining("only one");
        }

        @Test
        @DisplayName("ignores a capture position that would move backwards")
        void ignoresBackwards() {
            log.append(transaction(L2, 1, "t"), Optional.of(L2));
            log.append(List.of(), Optional.of(L1));
            assertThat(log.state().orElseThrow().capturePosition()).isEqualTo(L2);
        }

        @Test
        @DisplayName("writes nothing at all when the database refuses one row")
        void atomicOnFailure() throws SQLException {
            List<LoggedChange> changes = new ArrayList<>(transaction(L1, 3, "t"));
            // PostgreSQL text cannot hold NUL: the COPY fails on the last row.
            changes.add(new LoggedChange(L1, 3, 7, Change.update("t", "x", "{\"a\":\"\u0000\"}", T)));
            assertThatThrownBy(() -> log.append(changes, Optional.of(L1))).isInstanceOf(ChangeLogException.class);
            assertThat(rows("tidemark.change_history")).isZero();
            assertThat(log.state().orElseThrow().capturePosition()).isEqualTo(Lsn.parse("0/50"));
            log.append(transaction(L1, 3, "t"), Optional.of(L1));
            assertThat(readAll()).hasSize(3);
        }
    }

    @Nested
    @DisplayName("reading")
    class Reading {

        private final List<LoggedChange> all = new ArrayList<>();

        @BeforeEach
        void fill() {
            log.startHistory("h1", Lsn.ZERO);
            all.addAll(transaction(L1, 3, "a"));
            all.addAll(transaction(L2, 2, "b"));
            all.addAll(transaction(L3, 2, "a"));
            log.append(all, Optional.of(L3));
            log.append(transaction(L4, 2, "b"), Optional.empty());
        }

        @Test
        @DisplayName("pages by (lsn, seq), filters entity types and stops at upTo")
        void pages() {
            assertThat(log.read(new LogPosition(L1, 1), Lsn.MAX, Set.of(), 2)).containsExactly(all.get(2), all.get(3));
            assertThat(log.read(LogPosition.afterTransaction(L1), L2, Set.of(), 100)).containsExactly(all.get(3), all.get(4));
            assertThat(log.read(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of("a"), 100))
                    .extracting(LoggedChange::lsn).containsExactly(L1, L1, L1, L3, L3);
            assertThat(log.read(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of(), 0)).isEmpty();
        }

        @Test
        @DisplayName("reads every entity type but the excluded ones, filtered in the query, and agrees with the SPI's"
                + " default (which reads everything and drops them)")
        void readExcept() {
            LogPosition start = new LogPosition(Lsn.ZERO, 0);
            assertThat(log.readExcept(start, Lsn.MAX, Set.of("a"), 100)).containsExactly(all.get(3), all.get(4));
            assertThat(log.readExcept(start, Lsn.MAX, Set.of("b", "zzz"), 100))
                    .extracting(LoggedChange::lsn).containsExactly(L1, L1, L1, L3, L3);
            assertThat(log.readExcept(start, Lsn.MAX, Set.of("a"), 1)).containsExactly(all.get(3));
            assertThat(log.readExcept(start, L1, Set.of("a"), 100)).isEmpty();
            assertThat(log.readExcept(new LogPosition(L1, 1), Lsn.MAX, Set.of(), 2)).containsExactly(all.get(2), all.get(3));
            assertThat(log.readExcept(start, Lsn.MAX, Set.of("a", "b"), 100)).as("never past the capture position")
                    .isEmpty();

            InMemoryChangeLog reference = new InMemoryChangeLog();
            reference.startHistory("h1", Lsn.ZERO);
            reference.append(all, Optional.of(L3));
            reference.append(transaction(L4, 2, "b"), Optional.empty());
            for (Set<String> excluded : List.of(Set.<String>of(), Set.of("a"), Set.of("b"), Set.of("a", "b"))) {
                for (int limit = 1; limit <= 8; limit++) {
                    for (LogPosition after : List.of(start, new LogPosition(L1, 0), LogPosition.afterTransaction(L1),
                            new LogPosition(L2, 1))) {
                        for (Lsn upTo : List.of(L1, L2, L3, Lsn.MAX)) {
                            assertThat(log.readExcept(after, upTo, excluded, limit))
                                    .as("after %s up to %s without %s, limit %d", after, upTo, excluded, limit)
                                    .isEqualTo(reference.readExcept(after, upTo, excluded, limit));
                            assertThat(log.read(after, upTo, excluded, limit))
                                    .as("after %s up to %s of %s, limit %d", after, upTo, excluded, limit)
                                    .isEqualTo(reference.read(after, upTo, excluded, limit));
                        }
                    }
                }
            }
        }

        @Test
        @DisplayName("a read (of some types, or of all but some) that wants none of the log's changes finds that out on"
                + " the transactions' rows, without"
                + " going through the changes (they are locked away here: the read must not wait for them)")
        void readExceptSkipsUnwantedTransactionsWithoutReadingTheirChanges() throws Exception {
            try (Connection locker = database.connect(); Statement s = locker.createStatement()) {
                locker.setAutoCommit(false);
                s.execute("LOCK TABLE tidemark.change_history IN ACCESS EXCLUSIVE MODE");
                try {
                    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                        assertThat(log.readExcept(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of("a", "b"), 100))
                                .isEmpty();
                        assertThat(log.readExcept(LogPosition.afterTransaction(L1), Lsn.MAX, Set.of("a", "b", "c"), 5))
                                .isEmpty();
                        assertThat(log.read(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of("zzz"), 100)).isEmpty();
                        assertThat(log.read(new LogPosition(L2, 0), Lsn.MAX, Set.of("c"), 100)).isEmpty();
                    });
                } finally {
                    locker.rollback();
                }
            }
            assertThat(log.readExcept(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of("a"), 100))
                    .containsExactly(all.get(3), all.get(4));
        }

        @Test
        @DisplayName("finds the next transaction of the wanted entity types, never past the capture position")
        void nextTransaction() {
            assertThat(log.nextTransaction(Lsn.ZERO, Lsn.MAX, Set.of())).contains(L1);
            assertThat(log.nextTransaction(L1, Lsn.MAX, Set.of("a"))).contains(L3);
            assertThat(log.nextTransaction(L1, Lsn.MAX, Set.of("b", "zzz"))).contains(L2);
            assertThat(log.nextTransaction(L2, Lsn.MAX, Set.of("b"))).isEmpty();
            assertThat(log.nextTransaction(L1, L2, Set.of("a"))).isEmpty();
        }

        @Test
        @DisplayName("finds entity types whatever characters their names hold")
        void oddEntityTypes() {
            String odd = "we\"ird,{sch}.ta\\ble";
            Lsn l5 = Lsn.parse("0/500");
            log.append(List.of(), Optional.of(L4));
            List<LoggedChange> big = transaction(l5, 4, odd);
            log.append(big.subList(0, 2), Optional.empty());
            log.append(big.subList(2, 4), Optional.of(l5));
            assertThat(log.nextTransaction(L4, Lsn.MAX, Set.of(odd))).contains(l5);
            assertThat(log.nextTransaction(L3, Lsn.MAX, Set.of(odd, "b"))).contains(L4);
            assertThat(log.nextTransaction(L4, Lsn.MAX, Set.of("b"))).isEmpty();
            assertThat(log.read(LogPosition.afterTransaction(L4), Lsn.MAX, Set.of(odd), 10)).containsExactlyElementsOf(big);
        }

        @Test
        @DisplayName("sums checksums through any retained position, also after a trim")
        void checksums() {
            long through1 = Checksum.of(changesOf(all.subList(0, 3)));
            long through3 = Checksum.of(changesOf(all));
            assertThat(log.checksumThrough(L1)).hasValue(through1);
            assertThat(log.checksumThrough(Lsn.parse("0/1FF"))).hasValue(through1);
            assertThat(log.checksumThrough(L3)).hasValue(through3);
            assertThat(log.checksumThrough(L4)).isEmpty();
            assertThat(log.checksumThrough(Lsn.ZERO)).isEmpty();

            assertThat(log.trim(L2)).isEqualTo(5);
            assertThat(log.state().orElseThrow().retainedFrom()).isEqualTo(L2);
            assertThat(log.checksumThrough(L1)).isEmpty();
            assertThat(log.checksumThrough(L2)).hasValue(Checksum.of(changesOf(all.subList(0, 5))));
            assertThat(log.checksumThrough(L3)).hasValue(through3);
            assertThat(readAll()).containsExactlyElementsOf(all.subList(5, 7));
        }

        @Test
        @DisplayName("trims no further than the capture position")
        void trimStopsAtCapture() {
            assertThat(log.trim(Lsn.MAX)).isEqualTo(7);
            assertThat(log.state().orElseThrow().retainedFrom()).isEqualTo(L3);
            log.append(transaction(L4, 2, "b"), Optional.of(L4));
            assertThat(readAll()).hasSize(2);
        }

        @Test
        @DisplayName("starting a new history forgets the old one")
        void newHistory() {
            log.saveProgress(List.of(new ClientProgress("c1", L1, null, null, true, T)));
            HistoryState state = log.startHistory("h2", Lsn.parse("1/0"));
            assertThat(state).isEqualTo(new HistoryState("h2", Lsn.parse("1/0"), Lsn.ZERO));
            assertThat(log.state()).contains(state);
            assertThat(readAll()).isEmpty();
            assertThat(log.progress()).isEmpty();
            log.append(transaction(Lsn.parse("1/10"), 1, "a"), Optional.of(Lsn.parse("1/10")));
            assertThat(log.checksumThrough(Lsn.parse("1/10"))).hasValue(Checksum.of(changesOf(transaction(Lsn.parse("1/10"), 1, "a"))));
        }
    }

    @Test
    @DisplayName("keeps one progress row per client, replaced on save")
    void progress() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        log.saveProgress(List.of(new ClientProgress("c1", L1, null, null, true, now),
                new ClientProgress("c2", L2, now, "disk full", false, now)));
        log.saveProgress(List.of(new ClientProgress("c1", L3, now, null, false, now)));
        assertThat(log.progress()).containsExactly(new ClientProgress("c1", L3, now, null, false, now),
                new ClientProgress("c2", L2, now, "disk full", false, now));
    }

    @Test
    @DisplayName("the checksum at the start position of a history is zero")
    void emptyChecksum() {
        log.startHistory("h", L1);
        OptionalLong checksum = log.checksumThrough(L1);
        assertThat(checksum).hasValue(0L);
    }

    static List<Change> changesOf(List<LoggedChange> changes) {
        return changes.stream().map(LoggedChange::change).toList();
    }

    @Nested
    @DisplayName("retention and resync lookups")
    class Horizons {

        private LoggedChange at(Lsn lsn, int seq, long xid, Instant time) {
            return new LoggedChange(lsn, seq, xid, Change.update("t", lsn + "-" + seq, "{}", time));
        }

        @Test
        @DisplayName("find the last commit before a time, the position that keeps at most N changes, and commits by transaction id")
        void lookups() {
            log.startHistory("h", Lsn.ZERO);
            log.append(List.of(at(L1, 0, 11, T)), Optional.of(L1));
            log.append(List.of(at(L2, 0, 12, T.plusSeconds(3600)), at(L2, 1, 12, T.plusSeconds(3600))), Optional.of(L2));
            log.append(List.of(at(L3, 0, (5L << 32) | 13, T.plusSeconds(7200))), Optional.of(L3));

            assertThat(log.lastCommitBefore(T)).isEmpty();
            assertThat(log.lastCommitBefore(T.plusSeconds(1))).contains(L1);
            assertThat(log.lastCommitBefore(T.plusSeconds(7201))).contains(L3);
            assertThat(log.horizonKeeping(10)).isEmpty();
            assertThat(log.horizonKeeping(4)).isEmpty();
            assertThat(log.horizonKeeping(3)).contains(L1);
            assertThat(log.horizonKeeping(2)).contains(L2);
            assertThat(log.horizonKeeping(0)).contains(L3);
            assertThat(log.retainedChanges()).isEqualTo(4);
            assertThat(log.commitPositions(Set.of(12L, 99L), L3)).containsExactly(L2);
            assertThat(log.commitPositions(Set.of(13L), L3)).as("32-bit ids match").containsExactly(L3);
            assertThat(log.commitPositions(Set.of(13L), L2)).isEmpty();

            log.trim(L2);
            assertThat(log.retainedChanges()).isEqualTo(1);
            assertThat(log.lastCommitBefore(T.plusSeconds(3601))).isEmpty();
        }

        @Test
        @DisplayName("order commits as positions, not as their text, where the text grows a digit (0/FF00 < 0/10000)")
        void positionsOrderAsLsns() {
            Lsn a = Lsn.parse("0/FF00");
            Lsn b = Lsn.parse("0/10000");
            Lsn c = Lsn.parse("0/20000");
            log.startHistory("h", Lsn.ZERO);
            log.append(List.of(at(a, 0, 21, T)), Optional.of(a));
            log.append(List.of(at(b, 0, 22, T.plusSeconds(3600))), Optional.of(b));
            log.append(List.of(at(c, 0, 23, T.plusSeconds(7200))), Optional.of(c));

            assertThat(log.nextTransaction(Lsn.ZERO, Lsn.MAX, Set.of())).contains(a);
            assertThat(log.nextTransaction(a, Lsn.MAX, Set.of("t"))).contains(b);
            assertThat(log.commitPositions(Set.of(21L, 22L, 23L), c)).containsExactly(a, b, c);
            assertThat(log.lastCommitBefore(T.plusSeconds(7201))).contains(c);
            assertThat(log.lastCommitBefore(T.plusSeconds(3601))).contains(b);
            assertThat(log.horizonKeeping(0)).contains(c);
            assertThat(log.horizonKeeping(1)).contains(b);
        }
    }

    @Nested
    @DisplayName("table refresh markers")
    class TableRefreshes {

        private final Lsn start = Lsn.parse("0/50");

        @BeforeEach
        void begin() {
            log.startHistory("h1", start, List.of(new TableRefresh(start, "t", "history started"),
                    new TableRefresh(start, "u", "history started")));
        }

        @Test
        @DisplayName("are recorded with the history start, and read in lsn order within (after, upTo]")
        void startAndRead() {
            log.append(transaction(L1, 2, "t"), List.of(new TableRefresh(L1, "t", "column added")), Optional.of(L1));
            log.append(transaction(L2, 1, "u"), List.of(new TableRefresh(L2, "u", "table added"),
                    new TableRefresh(L2, "t", "column renamed")), Optional.of(L2));
            assertThat(log.refreshes(Lsn.ZERO, Lsn.MAX)).containsExactly(
                    new TableRefresh(start, "t", "history started"), new TableRefresh(start, "u", "history started"),
                    new TableRefresh(L1, "t", "column added"),
                    new TableRefresh(L2, "t", "column renamed"), new TableRefresh(L2, "u", "table added"));
            assertThat(log.refreshes(start, L1)).containsExactly(new TableRefresh(L1, "t", "column added"));
            assertThat(log.refreshes(L2, Lsn.MAX)).isEmpty();
        }

        @Test
        @DisplayName("become visible only with the position that covers them; a marker past it is refused and nothing is written")
        void neverPastCapture() throws SQLException {
            assertThatThrownBy(() -> log.append(transaction(L1, 1, "t"),
                    List.of(new TableRefresh(L2, "t", "too early")), Optional.of(L1)))
                    .isInstanceOf(ChangeLogException.class).hasMessageContaining("after the capture position");
            assertThat(rows("tidemark.change_history")).isZero();
            assertThat(log.state().orElseThrow().capturePosition()).isEqualTo(start);
            // A chunk without a position cannot carry the marker of the transaction it belongs to.
            assertThatThrownBy(() -> log.append(transaction(L1, 1, "t"),
                    List.of(new TableRefresh(L1, "t", "chunk")), Optional.empty()))
                    .isInstanceOf(ChangeLogException.class);
            log.append(transaction(L1, 1, "t"), List.of(new TableRefresh(L1, "t", "ok")), Optional.of(L1));
            assertThat(log.refreshes(start, Lsn.MAX)).containsExactly(new TableRefresh(L1, "t", "ok"));
        }

        @Test
        @DisplayName("replayed with their transaction are skipped, not doubled")
        void replays() throws SQLException {
            log.append(transaction(L1, 1, "t"), List.of(new TableRefresh(L1, "t", "column added")), Optional.of(L1));
            log.append(transaction(L1, 1, "t"), List.of(new TableRefresh(L1, "t", "column added again")),
                    Optional.of(L1));
            log.append(List.of(), List.of(new TableRefresh(L1, "t", "column added")), Optional.of(L2));
            assertThat(log.refreshes(start, Lsn.MAX)).containsExactly(new TableRefresh(L1, "t", "column added"));
            assertThat(rows("tidemark.table_refresh")).isEqualTo(3);
        }

        @Test
        @DisplayName("are trimmed with retention, except each type's newest")
        void trimmed() {
            log.append(transaction(L1, 1, "t"), List.of(new TableRefresh(L1, "t", "column added")), Optional.of(L1));
            log.append(transaction(L2, 1, "t"), List.of(), Optional.of(L2));
            log.append(transaction(L3, 1, "t"), List.of(new TableRefresh(L3, "t", "column dropped")), Optional.of(L3));
            log.trim(L2);
            // u's only marker (the history start) and t's L1 marker are the newest at or before L2 for their types,
            // but t has a newer one at L3: only t's older markers go.
            assertThat(log.refreshes(Lsn.ZERO, Lsn.MAX)).containsExactly(
                    new TableRefresh(start, "u", "history started"),
                    new TableRefresh(L3, "t", "column dropped"));
            log.trim(L3);
            assertThat(log.refreshes(Lsn.ZERO, Lsn.MAX)).containsExactly(
                    new TableRefresh(start, "u", "history started"),
                    new TableRefresh(L3, "t", "column dropped"));
        }

        @Test
        @DisplayName("and table shapes are forgotten when a new history starts")
        void newHistoryForgets() {
            log.append(transaction(L1, 1, "t"), List.of(new TableRefresh(L1, "t", "column added")), Optional.of(L1));
            log.saveCapturedTableShapes(Map.of("t", "id int4", "u", "id int8"), List.of());
            log.saveCapturedTableShapes(Map.of("t", "id int4, x text"), List.of("u"));
            assertThat(log.capturedTableShapes()).isEqualTo(Map.of("t", "id int4, x text"));
            log.startHistory("h2", L2);
            assertThat(log.refreshes(Lsn.ZERO, Lsn.MAX)).isEmpty();
            assertThat(log.capturedTableShapes()).isEmpty();
        }
    }
}
