package dev.tidemark.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.client.internal.StoreDigester;
import dev.tidemark.client.spi.ApplyOutcome;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.EntityDigest;
import dev.tidemark.protocol.EntityEntry;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.TypeDigest;
import dev.tidemark.server.feed.SnapshotSource;
import dev.tidemark.server.pg.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof that verify-against-the-source works end to end with real parts: capture of a real PostgreSQL,
 * a resync snapshot and the change log applied to a real SQLite store through {@code SyncStore.apply}, the
 * server's {@link SourceDigester} over the source and the client's {@link StoreDigester} over the store.
 */
@DisplayName("Verify against the source: server and client digests")
class SourceDigestAgreementTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final Set<String> TYPES = Set.of("everything", "pairs", "items");
    private static final Map<String, Integer> BITS = Map.of("everything", 1, "pairs", 2, "items", 6);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path directory;

    private AuditFixture fixture;
    private SyncStore store;
    private Path storeFile;
    private SourceDigester digester;
    private final AtomicLong paced = new AtomicLong();
    private int batches;

    @BeforeEach
    void open() {
        fixture = new AuditFixture(postgres.createDatabase(), "everything", "pairs", "items");
        storeFile = directory.resolve("client.db");
        store = SyncStores.open("sqlite", Map.of("path", storeFile.toString()));
        store.resetHistory("audit-test");
        digester = new SourceDigester(fixture.snapshots(), () -> paced::addAndGet);
    }

    @AfterEach
    void close() {
        store.close();
        fixture.close();
    }

    /** A database with data before capture starts, a client loaded by a resync snapshot, then live changes. */
    private void syncedClient() throws SQLException {
        fixture.sql("CREATE TYPE mood AS ENUM ('sad', 'happy')",
                "CREATE TABLE everything (id bigint PRIMARY KEY, n numeric(30,10), f8 double precision, b boolean,"
                        + " t text, j json, jb jsonb, ts timestamp, tstz timestamptz, iv interval, by bytea, u uuid,"
                        + " ai integer[], at text[], m mood, nul text, big text)",
                "ALTER TABLE everything ALTER COLUMN big SET STORAGE EXTERNAL",
                "CREATE TABLE pairs (a int, b text, v int, PRIMARY KEY (a, b))",
                "CREATE TABLE items (id int PRIMARY KEY, grp int, v text)",
                "INSERT INTO everything VALUES (1, 12345678901234567890.0123456789, 0.1, true, E'tab\\there é',"
                        + " '{\"b\":1,\"a\":[true,null]}', '{\"b\":1.50,\"a\":[true,null]}', '2024-05-06 07:08:09.123456',"
                        + " '2024-05-06 07:08:09.5+02', '1 day 02:00:00', '\\x00ff', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
                        + " '{1,NULL,3}', '{\"a b\",NULL}', 'happy', NULL, repeat('toast ', 2000)),"
                        + " (2, 'NaN', '-Infinity', false, '', '[]', '{}', 'infinity', '-infinity', '-3 mons', '\\x',"
                        + " NULL, '{{1,2},{3,4}}', '{}', 'sad', NULL, NULL)",
                "INSERT INTO pairs SELECT g, 'k' || g, g * 10 FROM generate_series(1, 40) g",
                "INSERT INTO items SELECT g, g % 5, 'item ' || g FROM generate_series(1, 600) g");
        fixture.startCapture();
        fixture.sync();
        try (SnapshotSource.Snapshot snapshot = fixture.snapshots().open(TYPES::contains)) {
            List<Change> rows = new ArrayList<>();
            List<Change> chunk;
            while (!(chunk = snapshot.next(500, 1 << 20)).isEmpty()) {
                rows.addAll(chunk);
            }
            apply(snapshot.position(), rows);
        }
        // Live changes the client gets from the log: partial updates (the TOASTed column is left out and
        // must be kept by the merge), deletes, inserts.
        fixture.sql("UPDATE everything SET n = n + 1, at = '{x}' WHERE id = 1",
                "UPDATE items SET v = v || '!' WHERE id % 7 = 0",
                "DELETE FROM items WHERE id % 11 = 0",
                "INSERT INTO items SELECT g, g % 5, 'new ' || g FROM generate_series(601, 700) g",
                "UPDATE pairs SET v = -v WHERE a % 3 = 0");
        catchUp(fixture.sync());
    }

    /** The server streams the client up to exactly {@code position}: the log's tail as one batch. */
    private void catchUp(Lsn position) {
        Lsn committed = store.committedLsn();
        assertThat(position).as("the snapshot is never before the client").isGreaterThanOrEqualTo(committed);
        if (position.isAfter(committed)) {
            apply(position, fixture.tail(committed, position, TYPES));
        }
    }

    private void apply(Lsn position, List<Change> changes) {
        ChangeBatch batch = new ChangeBatch("b" + ++batches, store.committedLsn(), position, changes);
        assertThat(store.apply(batch).outcome()).isEqualTo(ApplyOutcome.APPLIED);
    }

    /** Both sides' digests at the server's snapshot position; the client is streamed up to it first. */
    private Map<String, List<Integer>> differingBuckets() {
        SourceDigests source = digester.digest(BITS);
        catchUp(source.position());
        StoreDigester.StoreDigests client = new StoreDigester(store).digest(BITS);
        assertThat(client.position()).isEqualTo(source.position());
        Map<String, List<Integer>> differing = new TreeMap<>();
        for (TypeDigest sourceType : source.types()) {
            TypeDigest clientType = client.types().stream()
                    .filter(t -> t.entityType().equals(sourceType.entityType())).findFirst().orElseThrow();
            List<Integer> buckets = sourceType.differingBuckets(clientType);
            if (!buckets.isEmpty()) {
                differing.put(sourceType.entityType(), buckets);
            }
        }
        return differing;
    }

    @Test
    @DisplayName("a client loaded by snapshot and log has exactly the source's digests, at the snapshot position")
    void digestsAgree() throws SQLException {
        syncedClient();
        SourceDigests source = digester.digest(BITS);
        catchUp(source.position());
        assertThat(source.type("items").orElseThrow().count()).isEqualTo(fixture.count("items")).isEqualTo(646);
        assertThat(source.type("pairs").orElseThrow().count()).isEqualTo(40);
        assertThat(source.type("everything").orElseThrow().count()).isEqualTo(2);
        assertThat(store.get("everything", "1").orElseThrow()).contains("toast toast");
        assertThat(new StoreDigester(store).digest(BITS).types()).isEqualTo(source.types());
        assertThat(differingBuckets()).isEmpty();
        assertThat(paced.get()).as("every row went through the pacer").isGreaterThanOrEqualTo(646 + 40 + 2);
    }

    @Test
    @DisplayName("divergence planted in the store is found, narrowed to its buckets and ids, and repaired narrowly")
    void plantedDivergenceIsFoundNarrowedAndRepaired() throws Exception {
        syncedClient();
        assertThat(differingBuckets()).isEmpty();

        // Behind the client's back: a row edited, a row deleted, a row added, a column value changed.
        try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + storeFile)) {
            setData(sqlite, "items", "5", "{\"id\":5,\"grp\":0,\"v\":\"edited behind the client's back\"}");
            execute(sqlite, "DELETE FROM tidemark_entity WHERE entity_type = 'items' AND entity_id = '13'");
            execute(sqlite, "INSERT INTO tidemark_entity (entity_type, entity_id, data)"
                    + " VALUES ('items', '9999', '{\"id\":9999,\"grp\":1,\"v\":\"never in the source\"}')");
            changeMember(sqlite, "items", "21", "grp", 42);
            changeMember(sqlite, "everything", "1", "b", false);
        }
        Map<String, SortedSet<String>> planted = Map.of(
                "items", new TreeSet<>(List.of("13", "21", "5", "9999")),
                "everything", new TreeSet<>(List.of("1")));

        Map<String, List<Integer>> differing = differingBuckets();
        assertThat(differing.keySet()).as("the types that differ; pairs is untouched").containsExactly("everything", "items");
        planted.forEach((type, ids) -> assertThat(differing.get(type)).as("the buckets of %s", type)
                .containsExactlyElementsOf(ids.stream().map(id -> EntityDigest.bucket(id, BITS.get(type)))
                        .collect(Collectors.toCollection(TreeSet::new))));

        Map<String, SortedSet<String>> divergent = new TreeMap<>();
        differing.forEach((type, buckets) -> {
            BucketEntries source = digester.entries(type, BITS.get(type), Set.copyOf(buckets), 10_000);
            catchUp(source.position());
            List<EntityEntry> client = new StoreDigester(store).entries(type, BITS.get(type), Set.copyOf(buckets));
            divergent.put(type, EntityEntry.divergentIds(source.entries(), client));
        });
        assertThat(divergent).isEqualTo(planted);

        Map<Key, Row> before = rows();
        Lsn clientAt = store.committedLsn();
        fixture.sync();
        SourceRepair repair = digester.repair(divergent);
        assertThat(repair.position()).isGreaterThan(clientAt);
        assertThat(repair.changes()).extracting(Change::type, Change::entityType, Change::entityId).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ChangeType.DELETE, "everything", "1"),
                org.assertj.core.groups.Tuple.tuple(ChangeType.UPDATE, "everything", "1"),
                org.assertj.core.groups.Tuple.tuple(ChangeType.DELETE, "items", "13"),
                org.assertj.core.groups.Tuple.tuple(ChangeType.UPDATE, "items", "13"),
                org.assertj.core.groups.Tuple.tuple(ChangeType.DELETE, "items", "21"),
                org.assertj.core.groups.Tuple.tuple(ChangeType.UPDATE, "items", "21"),
                org.assertj.core.groups.Tuple.tuple(ChangeType.DELETE, "items", "5"),
                org.assertj.core.groups.Tuple.tuple(ChangeType.UPDATE, "items", "5"),
                org.assertj.core.groups.Tuple.tuple(ChangeType.DELETE, "items", "9999"));
        // A normal batch: the log's tail up to the repair's snapshot, then the repair changes.
        List<Change> batch = new ArrayList<>(fixture.tail(clientAt, repair.position(), TYPES));
        batch.addAll(repair.changes());
        apply(repair.position(), batch);

        assertThat(differingBuckets()).as("after the repair").isEmpty();
        Map<Key, Row> after = rows();
        Set<Key> repaired = new TreeSet<>();
        planted.forEach((type, ids) -> ids.forEach(id -> repaired.add(new Key(type, id))));
        Map<Key, Row> untouchedBefore = new TreeMap<>(before);
        Map<Key, Row> untouchedAfter = new TreeMap<>(after);
        untouchedBefore.keySet().removeAll(repaired);
        untouchedAfter.keySet().removeAll(repaired);
        assertThat(untouchedAfter).as("every other row kept its SQLite rowid and its data").isEqualTo(untouchedBefore);
        assertThat(untouchedAfter).hasSize(after.size() - 4);
        assertThat(after).doesNotContainKey(new Key("items", "9999")).containsKey(new Key("items", "13"));
        assertThat(store.get("items", "5").orElseThrow()).contains("item 5").doesNotContain("behind");
        assertThat(store.get("everything", "1").orElseThrow()).contains("\"b\":true").contains("toast toast");
    }

    private record Key(String type, String id) implements Comparable<Key> {
        @Override
        public int compareTo(Key other) {
            int byType = type.compareTo(other.type);
            return byType != 0 ? byType : id.compareTo(other.id);
        }
    }

    private record Row(long rowid, String data) {}

    /** Every entity row of the SQLite file, with its rowid: a rewritten row gets a new rowid or new data. */
    private Map<Key, Row> rows() throws SQLException {
        Map<Key, Row> rows = new HashMap<>();
        try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + storeFile);
                PreparedStatement select = sqlite.prepareStatement(
                        "SELECT rowid, entity_type, entity_id, data FROM tidemark_entity");
                ResultSet result = select.executeQuery()) {
            while (result.next()) {
                rows.put(new Key(result.getString(2), result.getString(3)), new Row(result.getLong(1), result.getString(4)));
            }
        }
        return rows;
    }

    private static void execute(Connection sqlite, String sql) throws SQLException {
        try (PreparedStatement statement = sqlite.prepareStatement(sql)) {
            statement.executeUpdate();
        }
    }

    private static void setData(Connection sqlite, String type, String id, String data) throws SQLException {
        try (PreparedStatement update = sqlite.prepareStatement(
                "UPDATE tidemark_entity SET data = ? WHERE entity_type = ? AND entity_id = ?")) {
            update.setString(1, data);
            update.setString(2, type);
            update.setString(3, id);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    private static void changeMember(Connection sqlite, String type, String id, String member, Object value)
            throws Exception {
        String data;
        try (PreparedStatement select = sqlite.prepareStatement(
                "SELECT data FROM tidemark_entity WHERE entity_type = ? AND entity_id = ?")) {
            select.setString(1, type);
            select.setString(2, id);
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                data = row.getString(1);
            }
        }
        ObjectNode object = (ObjectNode) JSON.readTree(data);
        object.set(member, JSON.valueToTree(value));
        setData(sqlite, type, id, JSON.writeValueAsString(object));
    }
}
