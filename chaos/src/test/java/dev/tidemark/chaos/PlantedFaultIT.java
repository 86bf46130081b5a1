package dev.tidemark.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The checker catches what it must: a store that lost one change, and a server that skipped one transaction, each
 * make a run fail with the right count.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The chaos checker against planted faults")
class PlantedFaultIT {

    private ChaosSettings settings;
    private PostgresProcess postgres;

    @BeforeAll
    void start() throws Exception {
        ChaosSettings base = ChaosSettings.fromSystemProperties();
        settings = new ChaosSettings(base.appJar(), base.cliJar(), base.out().resolve("planted"), 1, 7_000_000L,
                Duration.ofSeconds(6), base.faultEvery(), 1, 1, Ops.DEFAULT, base.faults());
        ChaosRun.deleteRecursively(settings.out());
        postgres = PostgresProcess.create(settings.out().resolve("postgres"), ChaosRun.freePort());
    }

    @AfterAll
    void stop() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @DisplayName("a client store that drops one change: lost = 1")
    void storeDropsOneChange() throws Exception {
        RunResult result = new ChaosRun(settings, postgres, 7_000_001L).withoutFaults().beforeComparison(run -> {
            Path store = ((ClientStore.Sqlite) run.clients().get(0).store()).file();
            try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + store);
                 Statement statement = sqlite.createStatement()) {
                assertThat(statement.executeUpdate("DELETE FROM tidemark_entity WHERE rowid = (SELECT min(rowid)"
                        + " FROM tidemark_entity WHERE entity_type = 'items')")).isEqualTo(1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).run();
        System.out.println("planted (store drops one change): " + result.line());
        assertThat(result.passed()).isFalse();
        assertThat(result.lost()).isEqualTo(1);
        assertThat(result.duplicated()).isZero();
        assertThat(result.divergent()).isZero();
    }

    @Test
    @DisplayName("a server that skips one transaction after a client's snapshot cut: that client loses exactly its rows")
    void serverSkipsOneTransaction() throws Exception {
        int[] skipped = new int[1];
        RunResult result = new ChaosRun(settings, postgres, 7_000_002L).withoutFaults().beforeComparison(run -> {
            try (Connection source = run.postgres().connect(run.database()); Statement statement = source.createStatement()) {
                // A client synced from scratch now: it loads every table at a snapshot cut, then follows the log.
                ClientProcess fresh = new ClientProcess("fresh", settingsCli(),
                        run.server().token("fresh", run.directory()), run.server().port(), run.directory());
                run.clients().add(fresh);
                assertThat(fresh.catchUpAndVerify()).as("the fresh client synced (see fresh-verify.log)").isTrue();
                // One transaction after that cut, each of its changes the last of its row.
                skipped[0] = statement.executeUpdate("UPDATE items SET version = version + 1, note = note || '-planted'"
                        + " WHERE id IN (SELECT id FROM items ORDER BY id LIMIT 3)");
                String lsn = org.awaitility.Awaitility.await("capture logs the planted transaction")
                        .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                            try (ResultSet row = statement.executeQuery("SELECT lsn::text FROM tidemark.change_history"
                                    + " WHERE entity_type = 'items' AND data LIKE '%-planted%' GROUP BY lsn"
                                    + " HAVING count(*) = " + skipped[0])) {
                                return row.next() ? row.getString(1) : null;
                            }
                        }, java.util.Objects::nonNull);
                // The run's own client takes it from the log; only the fresh client will miss it.
                assertThat(run.clients().get(0).catchUpAndVerify()).isTrue();
                try (PreparedStatement delete = source.prepareStatement(
                        "DELETE FROM tidemark.change_history WHERE lsn = ?::pg_lsn")) {
                    delete.setString(1, lsn);
                    assertThat(delete.executeUpdate()).isEqualTo(skipped[0]);
                }
                // A restart, so the server serves from the tampered log, not from what it holds in memory.
                run.server().process().kill();
                run.server().startAndAwaitServing();
                // Without verify: the point is what the checker counts in the store, not what verify would heal.
                fresh.catchUp();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).run();
        System.out.println("planted (server skips one transaction of " + skipped[0] + " changes): " + result.line());
        assertThat(skipped[0]).isPositive();
        assertThat(result.passed()).isFalse();
        assertThat(result.lost()).isEqualTo(skipped[0]);
        assertThat(result.duplicated()).isZero();
        assertThat(result.divergent()).isZero();
    }

    private Path settingsCli() {
        return settings.cliJar();
    }
}
