package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.SnapshotSource;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.ChangeLog;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Resync snapshots of a real PostgreSQL")
class SourceSnapshotsTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private CaptureFixture fixture;

    @BeforeEach
    void open() {
        fixture = new CaptureFixture(postgres.createDatabase());
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    private SourceSnapshots snapshots(String... tables) {
        return new SourceSnapshots(fixture.source, fixture.settings(tables).build().publicationName(), fixture.log);
    }

    private static List<Change> readAll(SnapshotSource.Snapshot snapshot) {
        List<Change> all = new ArrayList<>();
        List<Change> chunk;
        while (!(chunk = snapshot.next(2, 1 << 20)).isEmpty()) {
            all.addAll(chunk);
        }
        return all;
    }

    @Test
    @DisplayName("rows read over many keyset pages are still each type's output text: the driver never switches the"
            + " reads to its binary format (which formats doubles, timestamps, uuids and arrays itself)")
    void manyPagesKeepTheOutputText() throws SQLException {
        fixture.sql("CREATE TABLE typed (id bigint PRIMARY KEY, f8 double precision, f4 real, ts timestamp,"
                + " tstz timestamptz, d date, u uuid, b boolean, by bytea, ai integer[], n numeric, i2 smallint)");
        fixture.start(fixture.settings("typed").build());
        fixture.sql("INSERT INTO typed SELECT g, g * 0.1 + 1e20, g / 3.0, '2024-05-06 07:08:09.123456'::timestamp"
                + " + g * interval '1 second', '2024-05-06 07:08:09.5+02'::timestamptz, '2024-05-06'::date + g,"
                + " md5(g::text)::uuid, g % 2 = 0, decode(md5(g::text), 'hex'), ARRAY[g, NULL, -g], g / 7.0, g"
                + " FROM generate_series(1, 40) g");
        fixture.sync();
        // Pages of 2 rows: the same statement runs 20 times, far past the driver's prepareThreshold (5).
        SourceSnapshots snapshots = new SourceSnapshots(fixture.source, fixture.settings("typed").build().publicationName(),
                fixture.log, java.time.Duration.ofSeconds(30), 2);
        try (SnapshotSource.Snapshot snapshot = snapshots.open(type -> true)) {
            List<Change> rows = readAll(snapshot).stream().filter(change -> change.type() == ChangeType.UPDATE).toList();
            List<Change> captured = fixture.changes().stream().map(LoggedChange::change).toList();
            assertThat(rows).hasSize(40);
            assertThat(rows).extracting(Change::entityId, Change::data).containsExactlyElementsOf(captured.stream()
                    .map(c -> org.assertj.core.groups.Tuple.tuple(c.entityId(), c.data())).toList());
        }
    }

    @Test
    @DisplayName("a snapshot row is exactly the captured row (every supported type), after a truncate per table, at the capture position")
    void rowsEqualCapturedRows() throws SQLException {
        fixture.sql("CREATE TYPE mood AS ENUM ('sad', 'happy')",
                "CREATE TABLE everything (id bigint PRIMARY KEY, n numeric(30,10), f8 double precision, b boolean,"
                        + " t text, j json, jb jsonb, ts timestamp, tstz timestamptz, iv interval, by bytea, u uuid,"
                        + " ai integer[], at text[], m mood, nul text, ch char(5), ip inet, chs char(3)[])",
                "CREATE TABLE pairs (a int, b text, v int, PRIMARY KEY (a, b))");
        fixture.start(fixture.settings("everything", "pairs").build());
        fixture.sql("INSERT INTO everything VALUES (1, 12345678901234567890.0123456789, 0.1, true, E'tab\\there é',"
                + " '{\"b\":1,\"a\":[true,null]}', '{\"b\":1,\"a\":[true,null]}', '2024-05-06 07:08:09.123456',"
                + " '2024-05-06 07:08:09.5+02', '1 day 02:00:00', '\\x00ff', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
                + " '{1,NULL,3}', '{\"a b\",NULL}', 'happy', NULL, 'ab', '10.0.0.1', '{x,NULL}')",
                "INSERT INTO pairs VALUES (1, 'x', 10), (2, 'y', 20)");
        Lsn captured = fixture.sync();

        try (SnapshotSource.Snapshot snapshot = snapshots("everything", "pairs").open(type -> true)) {
            assertThat(snapshot.position()).isEqualTo(captured);
            assertThat(snapshot.entityTypes()).containsExactly("everything", "pairs");
            List<Change> changes = readAll(snapshot);
            assertThat(changes.subList(0, 2)).extracting(Change::type, Change::entityType)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(ChangeType.TRUNCATE, "everything"),
                            org.assertj.core.groups.Tuple.tuple(ChangeType.TRUNCATE, "pairs"));
            List<Change> rows = changes.subList(2, changes.size());
            List<Change> capturedRows = fixture.changes().stream().map(LoggedChange::change).toList();
            assertThat(rows).hasSize(3);
            assertThat(rows).extracting(Change::type, Change::entityType, Change::entityId, Change::data)
                    .containsExactlyInAnyOrderElementsOf(capturedRows.stream()
                            .map(c -> org.assertj.core.groups.Tuple.tuple(c.type(), c.entityType(), c.entityId(), c.data()))
                            .toList());
        }
        try (SnapshotSource.Snapshot snapshot = snapshots("everything", "pairs").open(type -> type.equals("pairs"))) {
            assertThat(readAll(snapshot)).extracting(Change::entityType).containsOnly("pairs").hasSize(3);
        }
    }

    @Test
    @DisplayName("a snapshot of one table estimates its rows from PostgreSQL's statistics, for the client's progress")
    void estimatedRows() throws SQLException {
        fixture.sql("CREATE TABLE big (id int PRIMARY KEY, body text)", "CREATE TABLE small (id int PRIMARY KEY)");
        fixture.start(fixture.settings("big", "small").build());
        fixture.sql("INSERT INTO big SELECT g, 'x' FROM generate_series(1, 300) g", "INSERT INTO small VALUES (1)",
                "ANALYZE big", "ANALYZE small");
        fixture.sync();
        try (SnapshotSource.Snapshot snapshot = snapshots("big", "small").open(type -> type.equals("big"))) {
            assertThat(snapshot.entityTypes()).containsExactly("big");
            assertThat(snapshot.estimatedRows()).hasValue(300);
            assertThat(readAll(snapshot)).hasSize(301);
        }
    }

    @Test
    @DisplayName("a snapshot part stops at about the byte bound, with at least one row")
    void byteBound() throws SQLException {
        fixture.sql("CREATE TABLE big (id int PRIMARY KEY, body text)");
        fixture.start(fixture.settings("big").build());
        fixture.sql("INSERT INTO big SELECT g, repeat('x', 1000) FROM generate_series(1, 10) g");
        fixture.sync();
        try (SnapshotSource.Snapshot snapshot = snapshots("big").open(type -> true)) {
            assertThat(snapshot.next(100, 1)).hasSize(1).extracting(Change::type).containsExactly(ChangeType.TRUNCATE);
            assertThat(snapshot.next(100, 1)).hasSize(1);
            assertThat(snapshot.next(100, 2500)).hasSize(3);
            assertThat(snapshot.next(100, 1 << 20)).hasSize(6);
            assertThat(snapshot.next(100, 1 << 20)).isEmpty();
        }
    }

    @Test
    @DisplayName("a transaction still running when the snapshot is taken is not in it and commits after its position, so the tail carries it")
    void runningTransactionGoesToTheTail() throws SQLException {
        fixture.sql("CREATE TABLE items (id int PRIMARY KEY, v text)");
        fixture.start(fixture.settings("items").build());
        fixture.sql("INSERT INTO items VALUES (1, 'a'), (2, 'b')");
        fixture.sync();
        try (Connection writer = fixture.source.connect()) {
            writer.setAutoCommit(false);
            try (Statement statement = writer.createStatement()) {
                statement.execute("UPDATE items SET v = 'running' WHERE id = 1");
                statement.execute("INSERT INTO items VALUES (3, 'running')");
            }
            try (SnapshotSource.Snapshot snapshot = snapshots("items").open(type -> true)) {
                writer.commit();
                List<Change> rows = readAll(snapshot).subList(1, 3);
                assertThat(rows).extracting(Change::entityId).containsExactlyInAnyOrder("1", "2");
                assertThat(rows).allSatisfy(row -> assertThat(row.data()).doesNotContain("running"));
                fixture.sync();
                List<LoggedChange> tail = fixture.log.read(LogPosition.afterTransaction(snapshot.position()), Lsn.MAX,
                        Set.of("items"), 100);
                assertThat(tail).extracting(c -> c.change().entityId()).containsExactly("1", "3");
            }
        }
    }

    /**
     * A change log that runs {@code between} right after the first read of its state: the moment between the
     * old cut's reading of the capture position and its snapshot.
     */
    private ChangeLog committingAfterFirstState(Runnable between) {
        AtomicBoolean first = new AtomicBoolean(true);
        return (ChangeLog) Proxy.newProxyInstance(ChangeLog.class.getClassLoader(), new Class<?>[] {ChangeLog.class},
                (proxy, method, arguments) -> {
                    Object result;
                    try {
                        result = method.invoke(fixture.log, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("state") && first.compareAndSet(true, false)) {
                        between.run();
                    }
                    return result;
                });
    }

    @Test
    @DisplayName("issue 11: transactions that commit between the capture position's read and the snapshot are in the"
            + " snapshot and not in the tail after its position (no entity goes back a version)")
    void commitsBeforeTheSnapshotAreNotReplayed() throws SQLException {
        fixture.sql("CREATE TABLE items (id int PRIMARY KEY, version int)");
        fixture.start(fixture.settings("items").build());
        fixture.sql("INSERT INTO items VALUES (1, 1), (2, 1)");
        fixture.sync();
        ChangeLog log = committingAfterFirstState(() -> {
            try {
                fixture.sql("UPDATE items SET version = 2 WHERE id = 1", "UPDATE items SET version = 3 WHERE id = 1");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        SourceSnapshots snapshots = new SourceSnapshots(fixture.source, fixture.settings("items").build()
                .publicationName(), log);
        try (SnapshotSource.Snapshot snapshot = snapshots.open(type -> true)) {
            Map<String, Integer> versions = versions(readAll(snapshot));
            assertThat(versions).containsEntry("1", 3).containsEntry("2", 1);
            fixture.sync();
            List<LoggedChange> tail = fixture.log.read(LogPosition.afterTransaction(snapshot.position()), Lsn.MAX,
                    Set.of("items"), 100);
            assertThat(tail).as("the tail after %s replays what the snapshot holds", snapshot.position()).isEmpty();
        }
    }

    @Test
    @DisplayName("issue 11: under concurrent writers, snapshot plus the tail after its position gives every entity"
            + " each of its versions once, in order, never one it already had")
    void snapshotsUnderConcurrentWritersAreExact() throws Exception {
        fixture.sql("CREATE TABLE items (id int PRIMARY KEY, version int)");
        fixture.start(fixture.settings("items").build());
        fixture.sql("INSERT INTO items SELECT g, 1 FROM generate_series(1, 20) g");
        fixture.sync();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int w = 0; w < 3; w++) {
            int writer = w;
            Thread thread = new Thread(() -> {
                try (Connection connection = fixture.source.connect(); Statement statement = connection.createStatement()) {
                    for (int i = 0; !stop.get(); i++) {
                        // Each writer moves its own items; the 20th item is moved by all of them.
                        statement.execute("UPDATE items SET version = version + 1 WHERE id IN ("
                                + (1 + writer * 6 + i % 6) + ", 20)");
                    }
                } catch (SQLException e) {
                    failures.add(e);
                }
            }, "writer-" + w);
            writers.add(thread);
            thread.start();
        }
        List<Lsn> positions = new ArrayList<>();
        List<Map<String, Integer>> snapshotVersions = new ArrayList<>();
        try {
            SourceSnapshots snapshots = snapshots("items");
            for (int i = 0; i < 8; i++) {
                try (SnapshotSource.Snapshot snapshot = snapshots.open(type -> true)) {
                    positions.add(snapshot.position());
                    snapshotVersions.add(versions(readAll(snapshot)));
                }
            }
        } finally {
            stop.set(true);
            for (Thread thread : writers) {
                thread.join();
            }
        }
        assertThat(failures).isEmpty();
        fixture.sync();
        Map<String, Integer> source = new HashMap<>();
        try (Connection connection = fixture.source.connect(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT id, version FROM items")) {
            while (rows.next()) {
                source.put(Integer.toString(rows.getInt(1)), rows.getInt(2));
            }
        }
        for (int i = 0; i < positions.size(); i++) {
            Map<String, Integer> state = new HashMap<>(snapshotVersions.get(i));
            for (LoggedChange change : fixture.log.read(LogPosition.afterTransaction(positions.get(i)), Lsn.MAX,
                    Set.of("items"), Integer.MAX_VALUE)) {
                int version = version(change.change());
                String id = change.change().entityId();
                assertThat(version).as("snapshot %d at %s: item %s after version %s", i, positions.get(i), id,
                        state.get(id)).isEqualTo(state.get(id) + 1);
                state.put(id, version);
            }
            assertThat(state).as("snapshot %d plus its tail", i).isEqualTo(source);
        }
    }

    @Test
    @DisplayName("a large table is read in keyset pages of at most the page size, every row once in key order, all as"
            + " of the snapshot even while the source changes between pages")
    void keysetPagesInBoundedMemory() throws SQLException {
        fixture.sql("CREATE TABLE big (id int PRIMARY KEY, body text)");
        fixture.start(fixture.settings("big").build());
        fixture.sql("INSERT INTO big SELECT g, 'row ' || g FROM generate_series(1, 2500) g");
        fixture.sync();
        SourceSnapshots snapshots = new SourceSnapshots(fixture.source, fixture.settings("big").build().publicationName(),
                fixture.log, java.time.Duration.ofSeconds(30), 100);
        try (SnapshotSource.Snapshot snapshot = snapshots.open(type -> true)) {
            List<Change> changes = new ArrayList<>(snapshot.next(50, 1 << 20));
            fixture.sql("INSERT INTO big VALUES (0, 'new'), (9999, 'new')", "DELETE FROM big WHERE id = 2400",
                    "UPDATE big SET body = 'changed' WHERE id = 2300");
            changes.addAll(readAll(snapshot));
            assertThat(changes.get(0).type()).isEqualTo(ChangeType.TRUNCATE);
            List<Change> rows = changes.subList(1, changes.size());
            assertThat(rows).extracting(Change::entityId).containsExactlyElementsOf(
                    java.util.stream.IntStream.rangeClosed(1, 2500).mapToObj(Integer::toString).toList());
            assertThat(rows).allSatisfy(row -> assertThat(row.data()).contains("\"row " + row.entityId() + "\""));
            assertThat(((KeysetSnapshot) snapshot).largestPage()).isEqualTo(100);
        }
    }

    @Test
    @DisplayName("a snapshot narrowed to some entities of one type (rows as updates, absent ids as deletes) or to a key"
            + " range (rows in key order), at an exact position; bad ids are refused")
    void narrowedSnapshots() throws SQLException {
        fixture.sql("CREATE TABLE pairs (a int, b text, v int, PRIMARY KEY (a, b))",
                "CREATE TABLE items (id int PRIMARY KEY, v text)");
        fixture.start(fixture.settings("pairs", "items").build());
        fixture.sql("INSERT INTO pairs SELECT g % 5, 'k' || g, g FROM generate_series(1, 40) g",
                "INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 40) g");
        Lsn captured = fixture.sync();
        SourceSnapshots snapshots = new SourceSnapshots(fixture.source,
                fixture.settings("pairs", "items").build().publicationName(), fixture.log,
                java.time.Duration.ofSeconds(30), 3);
        try (SnapshotSource.Snapshot snapshot = snapshots.openEntities("pairs",
                List.of("[1,\"k1\"]", "[2,\"k7\"]", "[9,\"none\"]", "[1,\"k1\"]"))) {
            assertThat(snapshot.position()).isGreaterThanOrEqualTo(captured);
            assertThat(snapshot.entityTypes()).containsExactly("pairs");
            assertThat(readAll(snapshot)).extracting(Change::type, Change::entityId).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple(ChangeType.UPDATE, "[1,\"k1\"]"),
                    org.assertj.core.groups.Tuple.tuple(ChangeType.UPDATE, "[2,\"k7\"]"),
                    org.assertj.core.groups.Tuple.tuple(ChangeType.DELETE, "[9,\"none\"]"));
        }
        try (SnapshotSource.Snapshot snapshot = snapshots.openKeyRange("items", "10", "17")) {
            assertThat(readAll(snapshot)).extracting(Change::entityId)
                    .containsExactly("10", "11", "12", "13", "14", "15", "16", "17");
        }
        try (SnapshotSource.Snapshot snapshot = snapshots.openKeyRange("items", null, "3")) {
            assertThat(readAll(snapshot)).extracting(Change::entityId).containsExactly("1", "2", "3");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> snapshots.openEntities("pairs", List.of("k1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an entity id of pairs");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> snapshots.openEntities("nope", List.of("1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no published table");
    }

    private static Map<String, Integer> versions(List<Change> changes) {
        Map<String, Integer> versions = new HashMap<>();
        changes.stream().filter(change -> change.type() == ChangeType.UPDATE)
                .forEach(change -> versions.put(change.entityId(), version(change)));
        return versions;
    }

    private static int version(Change change) {
        Matcher matcher = Pattern.compile("\"version\":(\\d+)").matcher(change.data());
        assertThat(matcher.find()).as("a version in %s", change.data()).isTrue();
        return Integer.parseInt(matcher.group(1));
    }
}
