package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Json;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.CapturedRange;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.HistoryState;
import dev.tidemark.server.spi.LoggedChange;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

@DisplayName("Capture from a real PostgreSQL")
class CaptureIntegrationTest {

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

    private static List<String> data(List<LoggedChange> changes) {
        return changes.stream().map(c -> c.change().data()).toList();
    }

    @Nested
    @DisplayName("decoding")
    class Decoding {

        @Test
        @DisplayName("renders every supported type faithfully as canonical JSON, for insert, update and delete")
        void everyType() throws SQLException {
            fixture.sql("CREATE TYPE mood AS ENUM ('sad', 'happy')",
                    "CREATE DOMAIN positive AS integer CHECK (VALUE > 0)",
                    "CREATE TABLE everything (id bigint PRIMARY KEY, i2 smallint, i4 integer, n numeric(30,10),"
                            + " f4 real, f8 double precision, nan numeric, b boolean, t text, vc varchar(20), ch char(3),"
                            + " j json, jb jsonb, ts timestamp, tstz timestamptz, d date, tm time, ttz timetz, iv interval,"
                            + " by bytea, u uuid, ai integer[], at text[], an numeric[], aj jsonb[], m mood, am mood[],"
                            + " dom positive, nul text)");
            fixture.start(fixture.settings("everything").build());
            fixture.sql("INSERT INTO everything VALUES (1, -32768, 2147483647, 12345678901234567890.0123456789, 1.5, 0.1,"
                    + " 'NaN', true, E'tab\\there \"q\" é', 'v', 'ab', '{\"b\":1,\"a\":[true,null]}',"
                    + " '{\"b\":1,\"a\":[true,null]}', '2024-05-06 07:08:09.123456', '2024-05-06 07:08:09.5+02',"
                    + " '2024-05-06', '07:08:09', '07:08:09+02', '1 day 02:00:00', '\\x00ff',"
                    + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,NULL,3}', '{\"a b\",NULL,\"c\\\"d\"}', '{1.50,NaN}',"
                    + " ARRAY['{\"x\":1}'::jsonb], 'happy', '{sad,happy}', 7, NULL)",
                    "UPDATE everything SET t = 'changed', nul = 'set' WHERE id = 1",
                    "DELETE FROM everything WHERE id = 1");
            fixture.sync();
            List<LoggedChange> changes = fixture.changes("everything");
            assertThat(changes).extracting(c -> c.change().type())
                    .containsExactly(ChangeType.UPDATE, ChangeType.UPDATE, ChangeType.DELETE);
            assertThat(changes).extracting(c -> c.change().entityId()).containsOnly("1");
            assertThat(changes.get(0).change().data()).isEqualTo("{\"id\":1,\"i2\":-32768,\"i4\":2147483647,"
                    + "\"n\":12345678901234567890.0123456789,\"f4\":1.5,\"f8\":0.1,\"nan\":\"NaN\",\"b\":true,"
                    + "\"t\":\"tab\\there \\\"q\\\" é\",\"vc\":\"v\",\"ch\":\"ab \",\"j\":{\"b\":1,\"a\":[true,null]},"
                    + "\"jb\":{\"a\":[true,null],\"b\":1},\"ts\":\"2024-05-06T07:08:09.123456\","
                    + "\"tstz\":\"2024-05-06T05:08:09.500Z\",\"d\":\"2024-05-06\",\"tm\":\"07:08:09\","
                    + "\"ttz\":\"07:08:09+02:00\",\"iv\":\"1 day 02:00:00\",\"by\":\"\\\\x00ff\","
                    + "\"u\":\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\",\"ai\":[1,null,3],\"at\":[\"a b\",null,\"c\\\"d\"],"
                    + "\"an\":[1.50,\"NaN\"],\"aj\":[{\"x\":1}],\"m\":\"happy\",\"am\":[\"sad\",\"happy\"],\"dom\":7,"
                    + "\"nul\":null}");
            assertThat(changes.get(1).change().data()).contains("\"t\":\"changed\"").contains("\"nul\":\"set\"");
            assertThat(changes.get(2).change().data()).isEqualTo("{\"id\":1}");
            for (LoggedChange change : changes) {
                assertThat(Json.canonicalObject(change.change().data())).isEqualTo(change.change().data());
            }
        }

        @Test
        @DisplayName("omits an unchanged TOASTed column from an update instead of nulling it")
        void toast() throws SQLException {
            fixture.sql("CREATE TABLE docs (id int PRIMARY KEY, body text, version int)");
            fixture.start(fixture.settings("docs").build());
            fixture.sql("INSERT INTO docs SELECT 1, string_agg(md5(i::text), '') , 1 FROM generate_series(1, 2000) i",
                    "UPDATE docs SET version = 2 WHERE id = 1");
            fixture.sync();
            List<LoggedChange> changes = fixture.changes("docs");
            assertThat(changes).hasSize(2);
            assertThat(changes.get(0).change().data()).contains("\"body\":\"").hasSizeGreaterThan(64_000);
            assertThat(changes.get(1).change().data()).isEqualTo("{\"id\":1,\"version\":2}");
        }

        @Test
        @DisplayName("captures truncate, of one table or several at once")
        void truncate() throws SQLException {
            fixture.sql("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)");
            fixture.start(fixture.settings("a", "b").build());
            fixture.sql("INSERT INTO a VALUES (1)", "TRUNCATE a", "INSERT INTO b VALUES (1)", "TRUNCATE a, b");
            fixture.sync();
            assertThat(fixture.changes()).extracting(c -> c.change().type() + " " + c.change().entityType())
                    .containsExactly("UPDATE a", "TRUNCATE a", "UPDATE b", "TRUNCATE a", "TRUNCATE b");
            Change truncate = fixture.changes().get(1).change();
            assertThat(truncate.entityId()).isNull();
            assertThat(truncate.data()).isNull();
        }

        @Test
        @DisplayName("keeps a transaction over several tables and schemas together, in order, at one commit LSN")
        void multiTable() throws SQLException {
            fixture.sql("CREATE SCHEMA sales", "CREATE TABLE orders (id int PRIMARY KEY, total numeric)",
                    "CREATE TABLE sales.items (order_id int, line int, sku text, PRIMARY KEY (order_id, line))");
            fixture.start(fixture.settings("orders", "sales.items").build());
            fixture.transaction("INSERT INTO orders VALUES (10, 99.90)",
                    "INSERT INTO sales.items VALUES (10, 1, 'x'), (10, 2, 'y')",
                    "UPDATE orders SET total = 100.00 WHERE id = 10",
                    "DELETE FROM sales.items WHERE line = 2");
            fixture.sync();
            List<LoggedChange> changes = fixture.changes();
            assertThat(changes).extracting(LoggedChange::lsn).containsOnly(changes.get(0).lsn());
            assertThat(changes).extracting(LoggedChange::seq).containsExactly(0, 1, 2, 3, 4);
            assertThat(changes).extracting(c -> c.change().entityType() + " " + c.change().entityId())
                    .containsExactly("orders 10", "sales.items [10,1]", "sales.items [10,2]", "orders 10",
                            "sales.items [10,2]");
            assertThat(changes.get(4).change().data()).isEqualTo("{\"order_id\":10,\"line\":2}");
            CapturedRange range = fixture.ranges.stream().filter(r -> !r.changes().isEmpty()).findFirst().orElseThrow();
            assertThat(range.complete()).isTrue();
            assertThat(range.from()).isLessThan(changes.get(0).lsn());
            assertThat(range.to()).isGreaterThanOrEqualTo(changes.get(0).lsn());
            assertThat(range.changes()).containsExactlyElementsOf(changes);
        }

        @Test
        @DisplayName("turns a key change into a move of the entity from its old key, also under REPLICA IDENTITY FULL")
        void keyChange() throws SQLException {
            fixture.sql("CREATE TABLE t (id int PRIMARY KEY, v text)", "CREATE TABLE f (id int PRIMARY KEY, v text)",
                    "ALTER TABLE f REPLICA IDENTITY FULL");
            fixture.start(fixture.settings("t", "f").build());
            fixture.sql("INSERT INTO t VALUES (1, 'a')", "UPDATE t SET id = 2 WHERE id = 1",
                    "INSERT INTO f VALUES (1, 'a')", "UPDATE f SET v = 'b'", "UPDATE f SET id = 3", "DELETE FROM f");
            fixture.sync();
            assertThat(fixture.changes()).extracting(c -> c.change().type() + " " + c.change().entityType() + " "
                            + (c.change().fromId() == null ? "" : c.change().fromId() + "->")
                            + c.change().entityId() + " " + c.change().data())
                    .containsExactly(
                            "UPDATE t 1 {\"id\":1,\"v\":\"a\"}",
                            "MOVE t 1->2 {\"id\":2,\"v\":\"a\"}",
                            "UPDATE f 1 {\"id\":1,\"v\":\"a\"}",
                            "UPDATE f 1 {\"id\":1,\"v\":\"b\"}",
                            "MOVE f 1->3 {\"id\":3,\"v\":\"b\"}",
                            "DELETE f 3 {\"id\":3}");
        }

        @Test
        @DisplayName("follows a schema change: new columns appear in later changes")
        void schemaChange() throws SQLException {
            fixture.sql("CREATE TABLE t (id int PRIMARY KEY, a text)");
            fixture.start(fixture.settings("t").build());
            fixture.sql("INSERT INTO t VALUES (1, 'x')", "ALTER TABLE t ADD COLUMN b int DEFAULT 5",
                    "INSERT INTO t VALUES (2, 'y', 6)", "ALTER TABLE t DROP COLUMN a", "INSERT INTO t VALUES (3, 7)");
            fixture.sync();
            assertThat(data(fixture.changes())).containsExactly("{\"id\":1,\"a\":\"x\"}",
                    "{\"id\":2,\"a\":\"y\",\"b\":6}", "{\"id\":3,\"b\":7}");
        }
    }

    @Nested
    @DisplayName("writing")
    class Writing {

        @Test
        @DisplayName("writes a large transaction in chunks that readers never see until it is whole")
        void largeTransaction() throws Exception {
            fixture.sql("CREATE TABLE big (id int PRIMARY KEY, v text)");
            fixture.start(fixture.settings("big").chunkChanges(250).maxBatchChanges(500).queueCapacity(500).build());
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<String> torn = new AtomicReference<>();
            List<Integer> seen = new ArrayList<>();
            Thread reader = new Thread(() -> {
                while (!done.get()) {
                    int visible = fixture.changes("big").size();
                    seen.add(visible);
                    if (visible != 0 && visible != 20_000) {
                        torn.set("a reader saw " + visible + " of the 20000 changes");
                    }
                }
            });
            reader.start();
            fixture.sql("INSERT INTO big SELECT i, 'row ' || i FROM generate_series(1, 20000) i");
            fixture.sync();
            done.set(true);
            reader.join();
            assertThat(torn.get()).isNull();
            List<LoggedChange> changes = fixture.changes("big");
            assertThat(changes).hasSize(20_000);
            assertThat(changes).extracting(LoggedChange::seq).containsExactlyElementsOf(IntStream.range(0, 20_000).boxed().toList());
            assertThat(changes).extracting(LoggedChange::lsn).containsOnly(changes.get(0).lsn());
            CapturedRange range = fixture.ranges.stream().filter(r -> !r.to().isBefore(changes.get(0).lsn())
                    && !r.from().isAfter(changes.get(0).lsn()) && r.from().isBefore(changes.get(0).lsn())).findFirst().orElseThrow();
            assertThat(range.complete()).as("a chunked transaction is published as an incomplete range").isFalse();
            assertThat(fixture.log.checksumThrough(changes.get(0).lsn()))
                    .hasValue(Checksum.of(changes.stream().map(LoggedChange::change).toList()));
        }

        @Test
        @DisplayName("captures a COPY of many rows: one commit LSN, many changes")
        void copy() throws Exception {
            fixture.sql("CREATE TABLE items (id int PRIMARY KEY, name text)");
            fixture.start(fixture.settings("items").build());
            StringBuilder rows = new StringBuilder();
            for (int i = 0; i < 10_000; i++) {
                rows.append(i).append('\t').append("item ").append(i).append('\n');
            }
            try (Connection connection = fixture.source.connect()) {
                connection.unwrap(PGConnection.class).getCopyAPI()
                        .copyIn("COPY items FROM STDIN", new StringReader(rows.toString()));
            }
            fixture.sync();
            List<LoggedChange> changes = fixture.changes("items");
            assertThat(changes).hasSize(10_000);
            assertThat(changes).extracting(LoggedChange::lsn).containsOnly(changes.get(0).lsn());
            assertThat(changes.get(9_999).change().data()).isEqualTo("{\"id\":9999,\"name\":\"item 9999\"}");
        }

        @Test
        @DisplayName("counts what it captured and confirms the slot only up to what is durable")
        void metricsAndConfirmation() throws SQLException {
            fixture.sql("CREATE TABLE t (id int PRIMARY KEY)");
            CaptureSettings settings = fixture.settings("t").build();
            CaptureService capture = fixture.start(settings);
            fixture.sql("INSERT INTO t VALUES (1), (2)", "INSERT INTO t VALUES (3), (4)", "INSERT INTO t VALUES (5), (6)");
            Lsn synced = fixture.sync();
            assertThat(fixture.registry.get("tidemark.capture.changes").counter().count()).isEqualTo(6);
            assertThat(fixture.registry.get("tidemark.capture.transactions").counter().count()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(30)).until(() -> Lsn.of((long) fixture.registry
                    .get("tidemark.capture.confirmed.lsn").gauge().value()).compareTo(synced) >= 0);
            Lsn slot = Lsn.parse(fixture.queryString("SELECT confirmed_flush_lsn::text FROM pg_replication_slots"
                    + " WHERE slot_name = '" + settings.slotName() + "'"));
            assertThat(slot).as("the slot never passes the change log").isLessThanOrEqualTo(
                    fixture.log.state().orElseThrow().capturePosition());
            await().atMost(Duration.ofSeconds(30)).until(() -> !Lsn.parse(fixture.queryString(
                    "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
                            + settings.slotName() + "'")).isBefore(synced));
            CaptureStatus status = capture.status();
            assertThat(status.state()).isEqualTo(CaptureStatus.State.STREAMING);
            assertThat(status.historyId()).isEqualTo(fixture.log.state().orElseThrow().historyId());
            assertThat(status.changes()).isEqualTo(6);
            assertThat(status.lagSeconds()).isLessThan(30);
        }

        @Test
        @DisplayName("continues the same history after a restart, without gaps or duplicates")
        void restart() throws SQLException {
            fixture.sql("CREATE TABLE t (id int PRIMARY KEY)");
            CaptureSettings settings = fixture.settings("t").build();
            fixture.start(settings);
            fixture.sql("INSERT INTO t SELECT generate_series(1, 100)");
            fixture.sync();
            String history = fixture.log.state().orElseThrow().historyId();
            fixture.stop();
            fixture.sql("INSERT INTO t SELECT generate_series(101, 200)");
            fixture.start(settings);
            fixture.sync();
            assertThat(fixture.log.state().orElseThrow().historyId()).isEqualTo(history);
            assertThat(fixture.changes("t")).extracting(c -> c.change().entityId())
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, 200).mapToObj(Integer::toString).toList());
        }

        @Test
        @DisplayName("recovers from a dropped replication connection, without gaps or duplicates")
        void droppedConnection() throws SQLException {
            fixture.sql("CREATE TABLE t (id int PRIMARY KEY)");
            CaptureSettings settings = fixture.settings("t").build();
            CaptureService capture = fixture.start(settings);
            fixture.sql("INSERT INTO t SELECT generate_series(1, 50)");
            fixture.sync();
            fixture.sql("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '"
                    + settings.slotName() + "'");
            fixture.sql("INSERT INTO t SELECT generate_series(51, 100)");
            fixture.sync();
            assertThat(capture.status().restarts()).isGreaterThanOrEqualTo(1);
            assertThat(fixture.changes("t")).hasSize(100);
        }
    }

    @Nested
    @DisplayName("history and slot")
    class HistoryAndSlot {

        @Test
        @DisplayName("starts a new history, loudly, when the slot was dropped while capture was down")
        void slotDropped() throws SQLException {
            fixture.sql("CREATE TABLE t (id int PRIMARY KEY)");
            CaptureSettings settings = fixture.settings("t").build();
            fixture.start(settings);
            fixture.sql("INSERT INTO t VALUES (1)");
            fixture.sync();
            HistoryState before = fixture.log.state().orElseThrow();
            fixture.stop();
            fixture.sql("SELECT pg_drop_replication_slot('" + settings.slotName() + "')");
            fixture.sql("INSERT INTO t VALUES (2)");
            fixture.start(settings);
            fixture.sql("INSERT INTO t VALUES (3)");
            fixture.sync();
            HistoryState after = fixture.log.state().orElseThrow();
            assertThat(after.historyId()).isNotEqualTo(before.historyId());
            assertThat(fixture.changes("t")).extracting(c -> c.change().entityId()).containsExactly("3");
        }

        @Test
        @DisplayName("starts a new history when the slot was recreated behind its back")
        void slotRecreated() throws SQLException {
            fixture.sql("CREATE TABLE t (id int PRIMARY KEY)");
            CaptureSettings settings = fixture.settings("t").build();
            fixture.start(settings);
            fixture.sync();
            HistoryState before = fixture.log.state().orElseThrow();
            fixture.stop();
            fixture.sql("SELECT pg_drop_replication_slot('" + settings.slotName() + "')",
                    "INSERT INTO t VALUES (1)",
                    "SELECT pg_create_logical_replication_slot('" + settings.slotName() + "', 'pgoutput')");
            fixture.start(settings);
            fixture.sync();
            assertThat(fixture.log.state().orElseThrow().historyId()).isNotEqualTo(before.historyId());
        }

        @Test
        @DisplayName("moves the slot on an idle database whose only activity is outside the publication")
        void idleSlotAdvances() throws SQLException {
            fixture.sql("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE other (id int PRIMARY KEY)");
            CaptureSettings settings = fixture.settings("t").heartbeatInterval(Duration.ofMillis(300)).build();
            fixture.start(settings);
            fixture.sql("INSERT INTO other SELECT generate_series(1, 1000)");
            Lsn walAfterActivity = Lsn.parse(fixture.queryString("SELECT pg_current_wal_lsn()::text"));
            await().atMost(Duration.ofSeconds(30)).until(() -> Lsn.parse(fixture.queryString(
                    "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
                            + settings.slotName() + "'")).isAfter(walAfterActivity));
            assertThat(fixture.changes()).isEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> fixture.metrics.lagBytes() >= 0
                    && fixture.metrics.lagBytes() < 1 << 20);
        }

        @Test
        @DisplayName("adds and removes tables through the publication, keeping the history")
        void publicationChanges() throws SQLException {
            fixture.sql("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)");
            fixture.start(fixture.settings("a").build());
            fixture.sql("INSERT INTO a VALUES (1)", "INSERT INTO b VALUES (1)");
            fixture.sync();
            String history = fixture.log.state().orElseThrow().historyId();
            fixture.start(fixture.settings("a", "b").build());
            fixture.sql("INSERT INTO a VALUES (2)", "INSERT INTO b VALUES (2)");
            fixture.sync();
            fixture.start(fixture.settings("b").build());
            fixture.sql("INSERT INTO a VALUES (3)", "INSERT INTO b VALUES (3)");
            fixture.sync();
            // Taking a out of the capture set writes a truncate of its type (clients drop its entities).
            assertThat(fixture.changes()).extracting(c -> c.change().entityType() + c.change().entityId())
                    .containsExactly("a1", "a2", "b2", "anull", "b3");
            assertThat(fixture.changes("a").get(2).change().type()).isEqualTo(ChangeType.TRUNCATE);
            assertThat(fixture.log.state().orElseThrow().historyId()).isEqualTo(history);
        }

        @Test
        @DisplayName("captures every table of a configured schema, also one created later")
        void schemaPublication() throws SQLException {
            fixture.sql("CREATE SCHEMA shop", "CREATE TABLE shop.a (id int PRIMARY KEY)");
            fixture.start(fixture.settings().schemas(List.of("shop")).build());
            fixture.sql("INSERT INTO shop.a VALUES (1)", "CREATE TABLE shop.b (id int PRIMARY KEY)",
                    "INSERT INTO shop.b VALUES (1)");
            fixture.sync();
            assertThat(fixture.changes()).extracting(c -> c.change().entityType()).containsExactly("shop.a", "shop.b");
        }
    }

    @Nested
    @DisplayName("startup checks")
    class StartupChecks {

        @Test
        @DisplayName("refuse a role without REPLICATION, saying how to grant it")
        void replicationRole() throws SQLException {
            fixture.sql("CREATE TABLE t (id int PRIMARY KEY)", "DROP ROLE IF EXISTS plain_user",
                    "CREATE ROLE plain_user LOGIN", "GRANT ALL ON SCHEMA public TO plain_user");
            SourceSettings plain = new SourceSettings(fixture.source.jdbcUrl(), "plain_user", null);
            CaptureService capture = new CaptureService(fixture.settings("t").build(), plain, fixture.log, fixture.feed,
                    fixture.metrics);
            assertThatThrownBy(capture::start).isInstanceOf(CaptureException.class)
                    .hasMessageContaining("ALTER ROLE plain_user REPLICATION")
                    .extracting(e -> ((CaptureException) e).error()).isEqualTo(CaptureError.NO_REPLICATION_PRIVILEGE);
            capture.close();
            fixture.sql("REVOKE ALL ON SCHEMA public FROM plain_user", "DROP ROLE plain_user");
        }

        @Test
        @DisplayName("refuse a missing publication or slot unless allowed to create them")
        void missingPublicationOrSlot() throws SQLException {
            fixture.sql("CREATE TABLE t (id int PRIMARY KEY)");
            assertThatThrownBy(() -> fixture.start(fixture.settings("t").managePublication(false).build()))
                    .isInstanceOf(CaptureException.class).hasMessageContaining("CREATE PUBLICATION");
            assertThatThrownBy(() -> fixture.start(fixture.settings("t").createSlot(false).build()))
                    .isInstanceOf(CaptureException.class).hasMessageContaining("pg_create_logical_replication_slot");
        }

        @Test
        @DisplayName("refuse a publication that would feed capture the change log's own tables")
        void ownTables() throws SQLException {
            fixture.sql("CREATE TABLE t (id int PRIMARY KEY)", "CREATE PUBLICATION everything FOR ALL TABLES");
            assertThatThrownBy(() -> fixture.start(fixture.settings().publicationName("everything")
                    .managePublication(false).build()))
                    .isInstanceOf(CaptureException.class).hasMessageContaining("own tables");
            assertThatThrownBy(() -> fixture.start(fixture.settings("t").publicationName("everything").build()))
                    .hasMessageContaining("FOR ALL TABLES");
        }

        @Test
        @DisplayName("refuse missing tables; exclude tables without a primary key (capturing the others), naming the fix")
        void tables() throws SQLException {
            fixture.sql("CREATE TABLE nokey (v int)");
            assertThatThrownBy(() -> fixture.start(fixture.settings("missing").build()))
                    .hasMessageContaining("table public.missing");
            fixture.start(fixture.settings("nokey").build());
            assertThat(fixture.health.problems()).singleElement().satisfies(problem -> {
                assertThat(problem.table()).isEqualTo("public.nokey");
                assertThat(problem.reason()).contains("primary key");
                assertThat(problem.fix()).contains("ADD PRIMARY KEY");
            });
        }
    }
}
