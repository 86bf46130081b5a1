package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import java.util.concurrent.CompletableFuture;
import java.time.Duration;
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
        CaptureSettings settings = fixture.settings("item").slotName("second_" + slotName()).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        return new CaptureService(settings, fixture.source, secondLog, new ChangeFeed(), new CaptureMetrics(registry),
                new CaptureHealthTracker(registry, Duration.ofSeconds(1)));
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
    @DisplayName("a second server on the same change log refuses to capture, names the holder and changes nothing")
    void secondServerRefuses() throws SQLException {
        CaptureService first = fixture.start(fixture.settings("item").build());
        fixture.sql("INSERT INTO item VALUES (1, 'one')");
        fixture.sync();
        HistoryState before = fixture.log.state().orElseThrow();
        int changesBefore = fixture.changes().size();
        String secondSlot = "second_" + slotName();

        try (CaptureService second = secondServer()) {
            assertThatThrownBy(second::start)
                    .isInstanceOfSatisfying(CaptureException.class,
                            e -> assertThat(e.error()).isEqualTo(CaptureError.LEASE))
                    .hasMessageContaining("another server already captures into this change log")
                    .hasMessageContaining("tidemark capture slot " + slotName())
                    .hasMessageContaining("backend pid")
                    .hasMessageContaining("no slot was created and the change log's history is unchanged");
            assertThat(second.status().state()).isEqualTo(CaptureStatus.State.STOPPED);
        }

        assertThat(slots(secondSlot)).isZero();
        HistoryState after = fixture.log.state().orElseThrow();
        assertThat(after.historyId()).isEqualTo(before.historyId());
        assertThat(after.capturePosition()).isEqualTo(before.capturePosition());
        assertThat(fixture.changes()).hasSize(changesBefore);

        fixture.sql("INSERT INTO item VALUES (2, 'two')");
        fixture.sync();
        assertThat(fixture.changes("item")).hasSize(2);
        assertThat(first.status().state()).isEqualTo(CaptureStatus.State.STREAMING);
        assertThat(fixture.log.state().orElseThrow().historyId()).isEqualTo(before.historyId());
    }

    @Test
    @DisplayName("once the first server stops, another can take the lease and capture")
    void leaseIsReleasedOnStop() throws SQLException {
        fixture.start(fixture.settings("item").build());
        fixture.sync();
        try (CaptureService refused = secondServer()) {
            assertThatThrownBy(refused::start).isInstanceOf(CaptureException.class);
        }
        fixture.stop();

        try (CaptureService second = secondServer()) {
            second.start();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> second.status().state() == CaptureStatus.State.STREAMING);
            assertThat(slots("second_" + slotName())).isOne();
        }
    }

    @Test
    @DisplayName("a terminated lease connection stops capture with an error, and a restart resumes with nothing lost")
    void lostLeaseStopsCapture() throws SQLException {
        CaptureService capture = fixture.start(fixture.settings("item").build());
        fixture.sql("INSERT INTO item VALUES (1, 'one')");
        fixture.sync();

        String terminated = fixture.queryString("SELECT bool_and(pg_terminate_backend(pid))::text FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name = '"
                + CaptureLease.applicationName(slotName()) + "'");
        assertThat(terminated).isEqualTo("true");

        await().atMost(Duration.ofSeconds(30)).until(() -> capture.status().state() == CaptureStatus.State.STOPPED);
        assertThat(capture.status().lastError()).contains("capture lost its lease on the change log");

        fixture.sql("INSERT INTO item VALUES (2, 'two')");
        fixture.start(fixture.settings("item").build());
        fixture.sync();
        assertThat(fixture.changes("item")).extracting(c -> c.change().data()).hasSize(2);
    }

    @Test
    @DisplayName("a restart after kill -9 waits for its own previous run's lingering lease connection to go away")
    void restartWaitsForItsPredecessor() throws Exception {
        Properties properties = credentials();
        properties.setProperty("ApplicationName", CaptureLease.applicationName(slotName()).replace(
                " pid " + ProcessHandle.current().pid(), " pid 1"));
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
    @DisplayName("a lease held by another server with this slot name is waited for briefly, then refused")
    void sameSlotHolderThatStaysIsRefused() throws Exception {
        Properties properties = credentials();
        properties.setProperty("ApplicationName", CaptureLease.applicationName(slotName()));
        try (Connection other = DriverManager.getConnection(fixture.source.jdbcUrl(), properties);
                Statement statement = other.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + CaptureLease.NAMESPACE + ", "
                    + CaptureLease.key(LeaseSettings.DEFAULT_SCHEMA) + ")");
            assertThatThrownBy(() -> fixture.start(fixture.settings("item").build()))
                    .isInstanceOfSatisfying(CaptureException.class,
                            e -> assertThat(e.error()).isEqualTo(CaptureError.LEASE))
                    .hasMessageContaining("another server already captures into this change log");
        }
        assertThat(slots(slotName())).isZero();
        assertThat(fixture.log.state()).isEmpty();
    }
}
