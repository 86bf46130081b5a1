package dev.tidemark.server.changelog.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.LoggedChange;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The postgres change log keeps running checksums per entity type")
class TypeChecksumTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final Lsn L1 = Lsn.parse("0/100");
    private static final Lsn L2 = Lsn.parse("0/200");
    private static final Lsn L3 = Lsn.parse("0/300");
    private static final Lsn L4 = Lsn.parse("0/400");
    private static final Lsn L5 = Lsn.parse("0/500");

    private SourceSettings database;
    private ChangeLog log;
    private final List<LoggedChange> written = new ArrayList<>();

    @BeforeEach
    void open() {
        database = postgres.createDatabase();
        log = PostgresChangeLogTest.provider().open(database.asChangeLogConfig());
    }

    @AfterEach
    void close() {
        log.close();
    }

    /** One transaction at {@code lsn} with {@code size} changes of each of {@code tables}, interleaved. */
    private static List<LoggedChange> transaction(Lsn lsn, int size, String... tables) {
        List<LoggedChange> changes = new ArrayList<>();
        int seq = 0;
        for (int i = 0; i < size; i++) {
            for (String table : tables) {
                changes.add(PostgresChangeLogTest.change(lsn, seq++, table, Integer.toString(i)));
            }
        }
        return changes;
    }

    /** The checksum of the written changes of {@code types} committed at or before {@code lsn}. */
    private long expected(Lsn lsn, String... types) {
        Set<String> wanted = Set.of(types);
        return Checksum.of(written.stream().filter(c -> !c.lsn().isAfter(lsn))
                .filter(c -> wanted.contains(c.change().entityType())).map(LoggedChange::change).toList());
    }

    private void append(List<LoggedChange> changes, Optional<Lsn> position) {
        log.append(changes, position);
        written.addAll(changes);
    }

    /** Writes four transactions over types a, b and an odd name, the last in chunks. */
    private void fill() {
        log.startHistory("h1", Lsn.ZERO);
        append(transaction(L1, 3, "a"), Optional.empty());
        append(transaction(L2, 2, "a", "b"), Optional.of(L2));
        append(transaction(L3, 2, "we\"ird,{x}"), Optional.of(L3));
        List<LoggedChange> big = transaction(L4, 3, "b", "a");
        append(big.subList(0, 2), Optional.empty());
        // A replay of what was written must not count twice.
        log.append(big.subList(0, 2), Optional.empty());
        append(big.subList(2, 6), Optional.of(L4));
    }

    @Test
    @DisplayName("the sum of types T through P is the checksum of T's changes committed at or before P")
    void sumsPerType() {
        fill();
        for (Lsn lsn : List.of(L1, L2, Lsn.parse("0/2FF"), L3, L4)) {
            assertThat(log.checksumThrough(lsn, Set.of("a"))).as("a through %s", lsn).hasValue(expected(lsn, "a"));
            assertThat(log.checksumThrough(lsn, Set.of("b"))).as("b through %s", lsn).hasValue(expected(lsn, "b"));
            assertThat(log.checksumThrough(lsn, Set.of("a", "we\"ird,{x}")))
                    .hasValue(expected(lsn, "a", "we\"ird,{x}"));
            assertThat(log.checksumThrough(lsn, Set.of("a", "b", "we\"ird,{x}"))).isEqualTo(log.checksumThrough(lsn));
            assertThat(log.checksumThrough(lsn, Set.of("never"))).hasValue(0);
        }
        assertThat(log.checksumThrough(L5, Set.of("a"))).as("past the capture position").isEmpty();
        assertThat(log.checksumThrough(Lsn.ZERO, Set.of("a"))).isEmpty();
        assertThat(log.checksumThrough(L4, Set.of())).isEqualTo(log.checksumThrough(L4));
    }

    @Test
    @DisplayName("a pending transaction counts only once it completes, and its chunks only once")
    void pendingTransaction() {
        fill();
        List<LoggedChange> next = transaction(L5, 2, "a");
        append(next.subList(0, 1), Optional.empty());
        assertThat(log.checksumThrough(L4, Set.of("a"))).hasValue(expected(L4, "a"));
        assertThat(log.checksumThrough(L5, Set.of("a"))).isEmpty();
        append(next.subList(1, 2), Optional.of(L5));
        assertThat(log.checksumThrough(L5, Set.of("a"))).hasValue(expected(L5, "a"));
    }

    @Test
    @DisplayName("trimming keeps the sums through every retained position, also of types not written since")
    void keptAcrossTrim() {
        fill();
        append(transaction(L5, 1, "b"), Optional.of(L5));
        log.trim(L4);
        assertThat(log.checksumThrough(L3, Set.of("a"))).isEmpty();
        assertThat(log.checksumThrough(L4, Set.of("a"))).hasValue(expected(L4, "a"));
        assertThat(log.checksumThrough(L5, Set.of("a", "we\"ird,{x}"))).hasValue(expected(L5, "a", "we\"ird,{x}"));
        assertThat(log.checksumThrough(L5, Set.of("b"))).hasValue(expected(L5, "b"));
        log.trim(L5);
        assertThat(log.checksumThrough(L5, Set.of("we\"ird,{x}"))).hasValue(expected(L5, "we\"ird,{x}"));
    }

    @Test
    @DisplayName("a new history starts every type's sum at zero")
    void newHistory() {
        fill();
        log.startHistory("h2", L4);
        written.clear();
        append(transaction(L5, 1, "a"), Optional.of(L5));
        assertThat(log.checksumThrough(L5, Set.of("a"))).hasValue(expected(L5, "a"));
        assertThat(log.checksumThrough(L5, Set.of("b"))).hasValue(0);
    }

    @Test
    @DisplayName("migration 4 on a log written by version 3: per-type sums unknown (position only) until the next"
            + " history; the log reads, appends and sums over every type as before")
    void migratesLogOfPreviousVersion() throws SQLException {
        fill();
        long allThroughL4 = log.checksumThrough(L4).orElseThrow();
        log.close();
        downgradeToVersion3();

        log = PostgresChangeLogTest.provider().open(database.asChangeLogConfig());
        try (Connection c = database.connect()) {
            assertThat(Migrations.currentVersion(c)).isEqualTo(7);
        }
        assertThat(log.checksumThrough(L4)).hasValue(allThroughL4);
        assertThat(log.checksumThrough(L4, Set.of("a"))).as("sums before the upgrade were never kept").isEmpty();
        append(transaction(L5, 1, "a"), Optional.of(L5));
        assertThat(log.checksumThrough(L5, Set.of("a"))).isEmpty();
        assertThat(log.checksumThrough(L5)).hasValue(expected(L5, "a", "b", "we\"ird,{x}"));

        log.startHistory("h2", L5);
        written.clear();
        Lsn l6 = Lsn.parse("0/600");
        append(transaction(l6, 2, "a"), Optional.of(l6));
        assertThat(log.checksumThrough(l6, Set.of("a"))).hasValue(expected(l6, "a"));
    }

    @Test
    @DisplayName("migration 4 on a version 3 log that never wrote a change: per-type sums known (zero) from the start")
    void migratesEmptyLogOfPreviousVersion() throws SQLException {
        log.startHistory("h1", L1);
        log.close();
        downgradeToVersion3();
        log = PostgresChangeLogTest.provider().open(database.asChangeLogConfig());
        append(transaction(L2, 2, "a", "b"), Optional.of(L2));
        assertThat(log.checksumThrough(L2, Set.of("b"))).hasValue(expected(L2, "b"));
    }

    /**
     * Turns the schema back into version 3's, keeping the rows: versions 4 and 5 only added objects, and versions 1 to 3
     * write the same columns as before, so what remains is what a version 3 server would have written.
     */
    private void downgradeToVersion3() throws SQLException {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE tidemark.type_checksum");
            s.execute("DROP TABLE tidemark.capture_leader");
            s.execute("ALTER TABLE tidemark.history_state DROP COLUMN type_checksums_known, DROP COLUMN type_names,"
                    + " DROP COLUMN type_totals, DROP COLUMN pending_type_checksums");
            LegacySchema.recordVersion(c, 3);
            try (ResultSet r = s.executeQuery("SELECT max(version) FROM tidemark.schema_version")) {
                r.next();
                assertThat(r.getInt(1)).isEqualTo(3);
            }
        }
    }
}
