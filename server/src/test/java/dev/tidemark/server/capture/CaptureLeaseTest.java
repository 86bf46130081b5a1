package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.HistoryState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("One capture leader per change log (the capture lease)")
class CaptureLeaseTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private CaptureFixture fixture;
    private ChangeLog secondLog;

    @BeforeEach
    void open() throws SQLException {
        fixture = new CaptureFixture(postgres.createDatabase());
        fixture.sql("CREATE TABLE item (id bigint PRIMARY KEY, name text)");
        secondLog = CaptureFixture.openChangeLog(fixture.source);
    }

    @AfterEach
    void close() {
        secondLog.close();
        fixture.close();
    }

    /** A second server's capture: same source and change log, its own slot (as a second `tidemark serve`). */
    private CaptureService secondServer() {
        return secondNode("second_" + slotName());
    }

    /** Another node's capture on the same source and change log, with the given slot. */
    private CaptureService secondNode(String slot) {
        CaptureSettings settings = fixture.settings("item").slotName(slot).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        return new CaptureService(settings, fixture.source, secondLog, new ChangeFeed(), new CaptureMetrics(registry),
                new CaptureHealthTracker(registry, Duration.ofSeconds(1)));
    }

    /** Terminates the backend of the lease connection of every node with this slot, as a cut connection would. */
    private String terminateLease(String slot) throws SQLException {
        return fixture.queryString("SELECT bool_and(pg_terminate_backend(pid))::text FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name LIKE '"
                + CaptureLease.nodeName(slot, "") + "%' AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory'"
                + " AND granted AND classid = " + CaptureLease.NAMESPACE + ")");
    }

    private String slotName() {
        return fixture.settings("item").build().slotName();
    }

    private Properties credentials() {
        Properties properties = new Properties();
        if (fixture.source.user() != null) {
            properties.setProperty("user", fixture.source.user());
        }
        if (fixture.source.password() != null) {
            properties.setProperty("password", fixture.source.password());
        }
        return properties;
    }

    private long slots(String name) throws SQLException {
        return Long.parseLong(fixture.queryString(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + name + "'"));
    }

    @Test
    @DisplayName("a second server on the same change log (another slot) is a standby: it does not capture, creates no"
            + " slot, changes nothing and says why")
    void secondServerIsAStandby() throws SQLException {
        CaptureService first = fixture.start(fixture.settings("item").build());
        fixture.sql("INSERT INTO item VALUES (1, 'one')");
        fixture.sync();
        HistoryState before = fixture.log.state().orElseThrow();
        int changesBefore = fixture.changes().size();
        String secondSlot = "second_" + slotName();

        try (CaptureService second = secondServer()) {
            second.start();
            CaptureStatus status = second.status();
            assertThat(status.state()).isEqualTo(CaptureStatus.State.STANDBY);
            assertThat(status.leader()).isFalse();
            assertThat(status.lastError()).contains("another node leads capture into this change log")
                    .contains("tidemark capture slot " + slotName()).contains("backend pid");
            assertThat(status.leaderNode()).isEqualTo(first.status().node());
            assertThat(second.health().role()).hasValueSatisfying(role -> assertThat(role)
                    .contains("this node is a standby").contains(first.status().node()));
            assertThat(slots(secondSlot)).isZero();

            fixture.sql("INSERT INTO item VALUES (2, 'two')");
            fixture.sync();
            assertThat(second.status().state()).isEqualTo(CaptureStatus.State.STANDBY);
        }

        assertThat(slots(secondSlot)).isZero();
        HistoryState after = fixture.log.state().orElseThrow();
        assertThat(after.historyId()).isEqualTo(before.historyId());
        assertThat(fixture.changes("item")).hasSize(2);
        assertThat(fixture.changes()).hasSizeGreaterThan(changesBefore);
        assertThat(first.status().state()).isEqualTo(CaptureStatus.State.STREAMING);
        assertThat(first.status().leader()).isTrue();
    }

    @Test
    @DisplayName("a standby whose slot differs from the change log's refuses to take over, creates no slot and says why")
    void standbyWithAnotherSlotRefusesToTakeOver() throws SQLException {
        fixture.start(fixture.settings("item").build());
        fixture.sql("INSERT INTO item VALUES (1, 'one')");
        fixture.sync();
        HistoryState before = fixture.log.state().orElseThrow();
        String secondSlot = "second_" + slotName();
        try (CaptureService second = secondServer()) {
            second.start();
            fixture.stop();

            await().atMost(Duration.ofSeconds(10)).until(second::isRefused);
            assertThat(second.isLeader()).isFalse();
            assertThat(second.status().state()).isEqualTo(CaptureStatus.State.STANDBY);
            assertThat(second.status().lastError())
                    .contains("this node's slot " + secondSlot + " differs from slot " + slotName())
                    .contains("every node of a change log must use the same slot")
                    .contains("tidemark.capture.slot=" + slotName());
            assertThat(slots(secondSlot)).isZero();
            assertThat(fixture.log.state().orElseThrow()).isEqualTo(before);
        }
    }

    @Test
    @DisplayName("a standby with the same slot takes over within 5 s when the leader stops, with nothing lost or doubled")
    void standbyTakesOverWhenTheLeaderStops() throws SQLException {
        fixture.start(fixture.settings("item").build());
        fixture.sql("INSERT INTO item VALUES (1, 'one')");
        fixture.sync();
        try (CaptureService second = secondNode(slotName())) {
            second.start();
            assertThat(second.status().state()).isEqualTo(CaptureStatus.State.STANDBY);
            fixture.sql("INSERT INTO item VALUES (2, 'two')");
            long stopped = System.nanoTime();
            fixture.stop();
            fixture.sql("INSERT INTO item VALUES (3, 'three')");

            await().atMost(Duration.ofSeconds(5)).until(() -> second.status().state() == CaptureStatus.State.STREAMING);
            assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(5));
            assertThat(second.isLeader()).isTrue();
            fixture.sql("INSERT INTO item VALUES (4, 'four')");
            fixture.sync();
            assertThat(fixture.changes("item")).extracting(c -> c.change().entityId())
                    .containsExactly("1", "2", "3", "4");
            assertThat(slots(slotName())).isOne();
            assertThat(fixture.log.leadership().orElseThrow().current().orElseThrow().node())
                    .isEqualTo(second.status().node());
        }
    }

    @Test
    @DisplayName("a terminated lease connection stops capture at once; the node leads again with a new epoch and"
            + " nothing is lost or doubled")
    void lostLeaseStopsCaptureThenLeadsAgain() throws SQLException {
        CaptureService capture = fixture.start(fixture.settings("item").build());
        fixture.sql("INSERT INTO item VALUES (1, 'one')");
        fixture.sync();
        long epoch = fixture.log.leadership().orElseThrow().current().orElseThrow().epoch();

        assertThat(terminateLease(slotName())).isEqualTo("true");
        fixture.sql("INSERT INTO item VALUES (2, 'two')");

        await().atMost(Duration.ofSeconds(10)).until(() -> capture.status().lastError() != null
                && capture.status().lastError().contains("capture lost its lease on the change log"));
        await().atMost(Duration.ofSeconds(10)).until(() -> capture.isLeader()
                && capture.status().state() == CaptureStatus.State.STREAMING);
        assertThat(fixture.log.leadership().orElseThrow().current().orElseThrow().epoch()).isGreaterThan(epoch);
        fixture.sql("INSERT INTO item VALUES (3, 'three')");
        fixture.sync();
        assertThat(fixture.changes("item")).extracting(c -> c.change().entityId())
                .containsExactly("1", "2", "3");
    }

    @Test
    @DisplayName("a restart after kill -9 waits for its own previous run's lingering lease connection to go away")
    void restartWaitsForItsPredecessor() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Properties properties = credentials();
        properties.setProperty("ApplicationName", CaptureLease.nodeName(slotName(), "").replace(
                " pid " + ProcessHandle.current().pid(), " pid " + gone.pid()));
        try (Connection previousRun = DriverManager.getConnection(fixture.source.jdbcUrl(), properties);
                Statement statement = previousRun.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + CaptureLease.NAMESPACE + ", "
                    + CaptureLease.key(LeaseSettings.DEFAULT_SCHEMA) + ")");
            CompletableFuture<Void> started = CompletableFuture.runAsync(
                    () -> fixture.start(fixture.settings("item").build()));
            await().atMost(Duration.ofSeconds(30)).until(() -> "1".equals(fixture.queryString(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = "
                            + CaptureLease.NAMESPACE)));
            assertThat(started).isNotDone();
            previousRun.close();
            started.get();
        }
        fixture.sql("INSERT INTO item VALUES (1, 'one')");
        fixture.sync();
        assertThat(fixture.changes("item")).hasSize(1);
    }

    @Test
    @DisplayName("a holder with this node's name is its previous run only when that process is gone: another node"
            + " running on this host is not waited for")
    void previousRunIsAProcessThatIsGone() throws Exception {
        String node = CaptureLease.nodeName(slotName(), "c0de");
        String self = " pid " + ProcessHandle.current().pid();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Process running = new ProcessBuilder("sleep", "60").start();
        try {
            assertThat(CaptureLease.previousRunOf(node.replace(self, " pid " + gone.pid()), node)).isTrue();
            assertThat(CaptureLease.previousRunOf(node.replace(self, " pid " + running.pid()), node)).isFalse();
            assertThat(CaptureLease.previousRunOf(node, node)).isFalse();
            assertThat(CaptureLease.previousRunOf(node.replace(self + ".c0de", " pid " + gone.pid()), node)).isTrue();
            assertThat(CaptureLease.previousRunOf(CaptureLease.nodeName("other_slot", ""), node)).isFalse();
        } finally {
            running.destroyForcibly();
        }
    }

    @Test
    @DisplayName("a lease held by another node with this slot name is waited for briefly; the node is then a standby"
            + " that changes nothing, and takes over when the holder goes")
    void sameSlotHolderThatStaysMakesAStandby() throws Exception {
        Properties properties = credentials();
        properties.setProperty("ApplicationName", CaptureLease.nodeName(slotName(), "other"));
        try (Connection other = DriverManager.getConnection(fixture.source.jdbcUrl(), properties);
                Statement statement = other.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + CaptureLease.NAMESPACE + ", "
                    + CaptureLease.key(LeaseSettings.DEFAULT_SCHEMA) + ")");
            CaptureService capture = fixture.start(fixture.settings("item").build());
            assertThat(capture.status().state()).isEqualTo(CaptureStatus.State.STANDBY);
            assertThat(capture.isLeader()).isFalse();
            assertThat(slots(slotName())).isZero();
            assertThat(fixture.log.state()).isEmpty();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.capture().isLeader()
                && fixture.capture().status().state() == CaptureStatus.State.STREAMING);
        fixture.sql("INSERT INTO item VALUES (1, 'one')");
        fixture.sync();
        assertThat(fixture.changes("item")).hasSize(1);
    }
}
