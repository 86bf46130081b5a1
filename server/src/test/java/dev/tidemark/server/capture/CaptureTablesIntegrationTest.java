package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.TableProblem;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.TableRefresh;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("Capture keeps the set of captured tables right")
class CaptureTablesIntegrationTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final Duration WAIT = Duration.ofSeconds(30);

    private CaptureFixture fixture;

    @BeforeEach
    void open() {
        fixture = new CaptureFixture(postgres.createDatabase());
    }

    @AfterEach
    void close() {
        fixture.close();
    }

    /** Waits for a refresh marker of {@code entityType} after {@code after}, and returns it. */
    private TableRefresh awaitRefresh(String entityType, Lsn after) {
        await().atMost(WAIT).until(() -> refreshAfter(entityType, after).isPresent());
        return refreshAfter(entityType, after).orElseThrow();
    }

    private Optional<TableRefresh> refreshAfter(String entityType, Lsn after) {
        return fixture.refreshes().stream()
                .filter(r -> r.entityType().equals(entityType) && r.lsn().isAfter(after)).findFirst();
    }

    private double gauge(String name) {
        return fixture.registry.get(name).gauge().value();
    }

    @Nested
    @DisplayName("bootstrap")
    class Bootstrap {

        @Test
        @DisplayName("marks every captured table complete only from the history's start, whatever rows it had")
        void historyStart() throws SQLException {
            fixture.sql("CREATE TABLE a (id int PRIMARY KEY)", "INSERT INTO a SELECT generate_series(1, 300)",
                    "CREATE TABLE b (id int PRIMARY KEY)");
            fixture.start(fixture.settings("a", "b").build());
            Lsn start = fixture.log.state().orElseThrow().capturePosition();
            assertThat(fixture.refreshes()).extracting(TableRefresh::entityType, TableRefresh::lsn)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("a", start),
                            org.assertj.core.groups.Tuple.tuple("b", start));
            // A restart continues the history: no new markers.
            fixture.start(fixture.settings("a", "b").build());
            fixture.sql("INSERT INTO a VALUES (301)");
            fixture.sync();
            assertThat(fixture.refreshes()).hasSize(2);
        }
    }

    @Nested
    @DisplayName("tables that cannot be captured")
    class Uncapturable {

        @Test
        @DisplayName("reproduction 4: a table without a primary key created later in a captured schema does not stall"
                + " the others; it is excluded, named with its fix, and picked up with a refresh once fixed")
        void noPrimaryKeyCreatedLater() throws SQLException {
            fixture.sql("CREATE SCHEMA shop", "CREATE TABLE shop.a (id int PRIMARY KEY)");
            fixture.start(fixture.settings().schemas(List.of("shop")).build());
            fixture.sql("CREATE TABLE shop.nokey (v int)", "INSERT INTO shop.nokey VALUES (1)",
                    "INSERT INTO shop.a VALUES (1)");
            fixture.sync();
            assertThat(fixture.changes()).extracting(c -> c.change().entityType() + c.change().entityId())
                    .containsExactly("shop.a1");
            assertThat(fixture.health.problems()).extracting(TableProblem::table).containsExactly("shop.nokey");
            assertThat(fixture.health.problems().get(0).fix()).contains("ALTER TABLE \"shop\".\"nokey\" ADD PRIMARY KEY");
            assertThat(fixture.health.incompleteEntityTypes()).containsExactly("shop.nokey");
            assertThat(fixture.health.complete()).isFalse();
            assertThat(gauge("tidemark.capture.tables.excluded")).isEqualTo(1.0);
            assertThat(gauge("tidemark.capture.incomplete")).isEqualTo(1.0);
            assertThat(fixture.capture().status().restarts()).isZero();

            Lsn beforeFix = fixture.walPosition();
            fixture.sql("ALTER TABLE shop.nokey ADD PRIMARY KEY (v)");
            TableRefresh refresh = awaitRefresh("shop.nokey", beforeFix);
            assertThat(refresh.reason()).contains("entered the capture set");
            await().atMost(WAIT).until(() -> fixture.health.complete());
            assertThat(gauge("tidemark.capture.incomplete")).isZero();
            fixture.sql("INSERT INTO shop.nokey VALUES (2)");
            fixture.sync();
            assertThat(fixture.changes("shop.nokey")).extracting(c -> c.change().entityId()).containsExactly("2");
        }

        @Test
        @DisplayName("are excluded at startup, not refused, each with its fix: no key (also with REPLICA IDENTITY FULL),"
                + " REPLICA IDENTITY NOTHING, an identity index that is not the key")
        void startup() throws SQLException {
            fixture.sql("CREATE TABLE ok (id int PRIMARY KEY)",
                    "CREATE TABLE nokey (v int)",
                    "CREATE TABLE nokeyfull (v int)", "ALTER TABLE nokeyfull REPLICA IDENTITY FULL",
                    "CREATE TABLE nothing (id int PRIMARY KEY)", "ALTER TABLE nothing REPLICA IDENTITY NOTHING",
                    "CREATE TABLE otherindex (id int PRIMARY KEY, code text NOT NULL)",
                    "CREATE UNIQUE INDEX otherindex_code ON otherindex (code)",
                    "ALTER TABLE otherindex REPLICA IDENTITY USING INDEX otherindex_code",
                    "CREATE TABLE full_with_key (id int PRIMARY KEY, v text)",
                    "ALTER TABLE full_with_key REPLICA IDENTITY FULL");
            fixture.start(fixture.settings("ok", "nokey", "nokeyfull", "nothing", "otherindex", "full_with_key").build());
            assertThat(fixture.health.problems()).extracting(TableProblem::table).containsExactlyInAnyOrder(
                    "public.nokey", "public.nokeyfull", "public.nothing", "public.otherindex");
            assertThat(fixture.health.problems()).allSatisfy(p -> assertThat(p.fix()).contains("ALTER TABLE"));
            assertThat(fixture.refreshes()).extracting(TableRefresh::entityType)
                    .containsExactlyInAnyOrder("ok", "full_with_key");
            fixture.sql("INSERT INTO ok VALUES (1)", "INSERT INTO nokey VALUES (1)", "INSERT INTO nokeyfull VALUES (1)",
                    "INSERT INTO nothing VALUES (1)", "INSERT INTO otherindex VALUES (1, 'x')",
                    "INSERT INTO full_with_key VALUES (1, 'a')", "UPDATE full_with_key SET id = 2, v = 'b'",
                    "INSERT INTO ok VALUES (2)");
            fixture.sync();
            assertThat(fixture.changes()).extracting(c -> c.change().entityType() + c.change().entityId())
                    .contains("ok1", "ok2", "full_with_key2").doesNotContain("nokey1", "nokeyfull1", "nothing1",
                            "otherindex1");
            assertThat(fixture.capture().status().restarts()).isZero();
        }

        @Test
        @DisplayName("check reports them with the fix before capture starts")
        void check() throws SQLException {
            fixture.sql("CREATE TABLE ok (id int PRIMARY KEY)", "CREATE TABLE nokey (v int)");
            List<Readiness.Finding> findings = Readiness.check(fixture.source, fixture.settings("ok", "nokey").build());
            assertThat(findings).filteredOn(f -> !f.ok()).extracting(Readiness.Finding::text)
                    .anySatisfy(text -> assertThat(text).contains("public.nokey").contains("ADD PRIMARY KEY"));
            assertThat(findings).filteredOn(f -> f.text().contains("public.ok")).isEmpty();
        }

        @Test
        @DisplayName("a capture that keeps failing shows as stalled within seconds, and recovers")
        void stalled() throws SQLException {
            fixture.sql("CREATE TABLE t (id text PRIMARY KEY)");
            fixture.start(fixture.settings("t").build());
            fixture.sql("INSERT INTO t VALUES ('fine')");
            fixture.sync();
            assertThat(fixture.health.stalled()).isEmpty();
            fixture.sql("ALTER TABLE tidemark.change_history ADD CONSTRAINT poison CHECK (entity_id <> 'poison')",
                    "INSERT INTO t VALUES ('poison')");
            await().atMost(Duration.ofSeconds(10)).until(() -> fixture.health.stalled().isPresent());
            assertThat(fixture.health.stalled().orElseThrow()).contains("poison");
            assertThat(gauge("tidemark.capture.stalled")).isEqualTo(1.0);
            fixture.sql("ALTER TABLE tidemark.change_history DROP CONSTRAINT poison");
            fixture.sync();
            await().atMost(WAIT).until(() -> fixture.health.stalled().isEmpty());
            assertThat(fixture.changes("t")).extracting(c -> c.change().entityId()).containsExactly("fine", "poison");
        }
    }

    @Nested
    @DisplayName("schema changes while running")
    class SchemaChanges {

        @Test
        @DisplayName("reproduction 5: ADD COLUMN ... DEFAULT with no later write, RENAME COLUMN and DROP COLUMN each write"
                + " a refresh marker after the change; later changes carry the new shape")
        void ddlWithoutDml() throws SQLException {
            fixture.sql("CREATE TABLE t (id int PRIMARY KEY, c int)", "INSERT INTO t VALUES (1, 10), (2, 20)");
            fixture.start(fixture.settings("t").build());

            fixture.sql("ALTER TABLE t ADD COLUMN x int DEFAULT 7");
            Lsn added = fixture.walPosition();
            TableRefresh afterAdd = awaitRefresh("t", added);
            assertThat(afterAdd.reason()).contains("[x] added");

            fixture.sql("ALTER TABLE t RENAME COLUMN c TO c_new");
            Lsn renamed = fixture.walPosition();
            TableRefresh afterRename = awaitRefresh("t", renamed);
            assertThat(afterRename.reason()).contains("[c_new] added").contains("[c] dropped");

            fixture.sql("ALTER TABLE t DROP COLUMN x");
            Lsn dropped = fixture.walPosition();
            TableRefresh afterDrop = awaitRefresh("t", dropped);
            assertThat(afterDrop.reason()).contains("[x] dropped");

            fixture.sql("ALTER TABLE t ALTER COLUMN c_new TYPE bigint");
            Lsn retyped = fixture.walPosition();
            assertThat(awaitRefresh("t", retyped).reason()).contains("type of [c_new] changed");

            fixture.sql("UPDATE t SET c_new = 11 WHERE id = 1");
            fixture.sync();
            List<LoggedChange> changes = fixture.changes("t");
            assertThat(changes).hasSize(1);
            assertThat(changes.get(0).change().data()).isEqualTo("{\"id\":1,\"c_new\":11}");
            // One marker per change, none doubled by the relation message the update brought.
            assertThat(fixture.refreshes()).filteredOn(r -> r.entityType().equals("t")).hasSize(5);
        }

        @Test
        @DisplayName("a schema change followed by a write marks the table at that write's commit, before its changes")
        void ddlWithDml() throws SQLException {
            fixture.sql("CREATE TABLE t (id int PRIMARY KEY, c int)");
            fixture.start(fixture.settings("t").build());
            fixture.transaction("ALTER TABLE t ADD COLUMN y text", "INSERT INTO t VALUES (1, 1, 'y')");
            fixture.sync();
            LoggedChange insert = fixture.changes("t").get(0);
            TableRefresh refresh = refreshAfter("t", fixture.refreshes().get(0).lsn()).orElseThrow();
            assertThat(refresh.lsn()).isEqualTo(insert.lsn());
            assertThat(insert.change().data()).isEqualTo("{\"id\":1,\"c\":1,\"y\":\"y\"}");
        }

        @Test
        @DisplayName("a table added to the capture set gets a marker; a table removed gets a truncate of its type")
        void addedAndRemoved() throws SQLException {
            fixture.sql("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)",
                    "INSERT INTO b VALUES (0)");
            fixture.start(fixture.settings("a").build());
            fixture.sql("INSERT INTO a VALUES (1)");
            Lsn first = fixture.sync();
            assertThat(fixture.refreshes()).extracting(TableRefresh::entityType).containsExactly("a");

            fixture.start(fixture.settings("a", "b").build());
            TableRefresh added = awaitRefresh("b", first);
            assertThat(added.reason()).contains("entered the capture set");
            fixture.sql("INSERT INTO b VALUES (2)");
            Lsn second = fixture.sync();

            fixture.start(fixture.settings("b").build());
            await().atMost(WAIT).until(() -> fixture.changes("a").stream()
                    .anyMatch(c -> c.change().type() == ChangeType.TRUNCATE));
            LoggedChange truncate = fixture.changes("a").get(fixture.changes("a").size() - 1);
            assertThat(truncate.change().type()).isEqualTo(ChangeType.TRUNCATE);
            assertThat(truncate.lsn()).isGreaterThan(second);
            fixture.sql("INSERT INTO a VALUES (3)", "INSERT INTO b VALUES (3)");
            fixture.sync();
            assertThat(fixture.changes()).extracting(c -> c.change().entityType() + ":" + c.change().type().wireName())
                    .containsExactly("a:update", "b:update", "a:truncate", "b:update");

            // Back in the set: complete again only from a new marker.
            Lsn third = fixture.sync();
            fixture.start(fixture.settings("a", "b").build());
            awaitRefresh("a", third);
        }

        @Test
        @DisplayName("a table created in a captured schema, and a table renamed, are marked; the old name is truncated")
        void createdAndRenamed() throws SQLException {
            fixture.sql("CREATE SCHEMA shop");
            fixture.start(fixture.settings().schemas(List.of("shop")).build());
            Lsn start = fixture.log.state().orElseThrow().capturePosition();
            fixture.sql("CREATE TABLE shop.items (id int PRIMARY KEY)");
            awaitRefresh("shop.items", start);
            fixture.sql("INSERT INTO shop.items VALUES (1)");
            Lsn before = fixture.sync();
            fixture.sql("ALTER TABLE shop.items RENAME TO goods");
            awaitRefresh("shop.goods", before);
            await().atMost(WAIT).until(() -> fixture.changes("shop.items").stream()
                    .anyMatch(c -> c.change().type() == ChangeType.TRUNCATE));
        }
    }
}
