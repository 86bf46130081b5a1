package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.LoggedChange;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A standby takes over capture while a writer commits, with nothing lost or doubled")
class CaptureTakeoverTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final Duration TAKEOVER = Duration.ofSeconds(5);

    private CaptureFixture fixture;
    private ChangeLog standbyLog;
    private CaptureService standby;
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final AtomicInteger written = new AtomicInteger();

    @BeforeEach
    void open() throws SQLException {
        fixture = new CaptureFixture(postgres.createDatabase());
        fixture.sql("CREATE TABLE item (id bigint PRIMARY KEY, name text)");
        standbyLog = CaptureFixture.openChangeLog(fixture.source);
    }

    @AfterEach
    void close() {
        writing.set(false);
        if (standby != null) {
            standby.close();
        }
        standbyLog.close();
        fixture.close();
    }

    private CaptureService startStandby() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        standby = new CaptureService(fixture.settings("item").build(), fixture.source, standbyLog, new ChangeFeed(),
                new CaptureMetrics(registry), new CaptureHealthTracker(registry, Duration.ofSeconds(1)));
        standby.start();
        assertThat(standby.status().state()).isEqualTo(CaptureStatus.State.STANDBY);
        return standby;
    }

    /** Inserts one row per transaction until stopped; returns how many committed. */
    private CompletableFuture<Integer> writer() {
        return CompletableFuture.supplyAsync(() -> {
            try (Connection connection = fixture.source.connect();
                    PreparedStatement insert = connection.prepareStatement("INSERT INTO item VALUES (?, 'row')")) {
                while (writing.get()) {
                    insert.setLong(1, written.get() + 1);
                    insert.executeUpdate();
                    written.incrementAndGet();
                }
                return written.get();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Every committed row appears in the log exactly once, in commit order. */
    private void assertEveryRowOnce(int rows) throws SQLException {
        fixture.sync();
        List<String> expected = new ArrayList<>();
        for (int id = 1; id <= rows; id++) {
            expected.add(Integer.toString(id));
        }
        assertThat(fixture.changes("item")).extracting((LoggedChange c) -> c.change().entityId())
                .containsExactlyElementsOf(expected);
    }

    private String terminateLease(String node) throws SQLException {
        return fixture.queryString("SELECT bool_and(pg_terminate_backend(pid))::text FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name = '"
                + node.substring(0, Math.min(node.length(), 63)) + "'");
    }

    @Test
    @DisplayName("after the leader's lease backend is terminated: a node leads again within 5 s")
    void afterTheLeaseBackendIsTerminated() throws Exception {
        CaptureService leader = fixture.start(fixture.settings("item").build());
        startStandby();
        CompletableFuture<Integer> writes = writer();
        await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > 50);
        long epoch = fixture.log.leadership().orElseThrow().current().orElseThrow().epoch();

        assertThat(terminateLease(leader.status().node())).isEqualTo("true");
        long cut = System.nanoTime();
        await().atMost(TAKEOVER).until(() -> fixture.log.leadership().orElseThrow().current().orElseThrow().epoch() > epoch
                && (leader.status().state() == CaptureStatus.State.STREAMING && leader.isLeader()
                        || standby.status().state() == CaptureStatus.State.STREAMING && standby.isLeader()));
        assertThat(Duration.ofNanos(System.nanoTime() - cut)).isLessThan(TAKEOVER);
        assertThat(leader.isLeader() && standby.isLeader()).as("one leader").isFalse();

        int before = written.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > before + 50);
        writing.set(false);
        assertEveryRowOnce(writes.get());
    }

    @Test
    @DisplayName("after the leader is stopped: the standby leads within 5 s")
    void afterTheLeaderStops() throws Exception {
        fixture.start(fixture.settings("item").build());
        startStandby();
        CompletableFuture<Integer> writes = writer();
        await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > 50);

        fixture.stop();
        long stopped = System.nanoTime();
        await().atMost(TAKEOVER).until(() -> standby.isLeader()
                && standby.status().state() == CaptureStatus.State.STREAMING);
        assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(TAKEOVER);

        int before = written.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > before + 50);
        writing.set(false);
        assertEveryRowOnce(writes.get());
    }
}
