package dev.tidemark.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.CapturedRange;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogs;
import dev.tidemark.server.spi.LoggedChange;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A standby node's live feed follows the change log's appends")
class ChangeLogFollowerTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final Instant T = Instant.parse("2026-11-26T09:00:00Z");

    private SourceSettings database;
    private ChangeLog leader;
    private ChangeLog standby;
    private final ChangeFeed feed = new ChangeFeed();
    private final List<CapturedRange> published = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean capturing = new AtomicBoolean();
    private ChangeLogFollower follower;

    @BeforeEach
    void open() {
        database = postgres.createDatabase();
        leader = ChangeLogs.open("postgres", database.asChangeLogConfig());
        standby = ChangeLogs.open("postgres", database.asChangeLogConfig());
        leader.startHistory("h1", Lsn.parse("0/10"));
        leader.leadership().orElseThrow().take("leader", "slot_x");
        feed.subscribe(published::add);
    }

    @AfterEach
    void close() {
        if (follower != null) {
            follower.close();
        }
        leader.close();
        standby.close();
    }

    private static LoggedChange change(Lsn lsn) {
        return new LoggedChange(lsn, 0, 7, Change.update("item", lsn.toString(), "{}", T));
    }

    private Lsn lastPublished() {
        synchronized (published) {
            return published.isEmpty() ? Lsn.ZERO : published.get(published.size() - 1).to();
        }
    }

    @Test
    @DisplayName("every append reaches the feed by notification alone (no poll), as chained ranges without changes")
    void notificationsDriveTheFeed() {
        follower = new ChangeLogFollower(database, standby, feed, capturing::get, Duration.ofHours(1));
        follower.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> lastPublished().equals(Lsn.parse("0/10")));

        for (int i = 1; i <= 5; i++) {
            Lsn lsn = Lsn.of(0x100L * i);
            leader.append(List.of(change(lsn)), Optional.of(lsn));
            await().atMost(Duration.ofSeconds(5)).until(() -> lastPublished().equals(lsn));
        }
        synchronized (published) {
            Lsn from = Lsn.ZERO;
            for (CapturedRange range : published) {
                assertThat(range.from()).isEqualTo(from);
                assertThat(range.complete()).isFalse();
                assertThat(range.changes()).isEmpty();
                from = range.to();
            }
        }
    }

    @Test
    @DisplayName("the poll finds what no notification told (the follower started after the append)")
    void pollIsTheSafetyNet() {
        leader.append(List.of(change(Lsn.parse("0/100"))), Optional.of(Lsn.parse("0/100")));
        follower = new ChangeLogFollower(database, standby, feed, capturing::get, Duration.ofMillis(200));
        follower.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> lastPublished().equals(Lsn.parse("0/100")));
    }

    @Test
    @DisplayName("publishes nothing while this node captures (capture feeds the hub), and goes on from there after")
    void silentWhileCapturing() {
        capturing.set(true);
        follower = new ChangeLogFollower(database, standby, feed, capturing::get, Duration.ofMillis(200));
        follower.start();
        await().atMost(Duration.ofSeconds(30)).until(this::listening);
        leader.append(List.of(change(Lsn.parse("0/100"))), Optional.of(Lsn.parse("0/100")));
        leader.append(List.of(change(Lsn.parse("0/200"))), Optional.of(Lsn.parse("0/200")));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(published::isEmpty);

        capturing.set(false);
        leader.append(List.of(change(Lsn.parse("0/300"))), Optional.of(Lsn.parse("0/300")));
        await().atMost(Duration.ofSeconds(10)).until(() -> lastPublished().equals(Lsn.parse("0/300")));
        synchronized (published) {
            assertThat(published).first().satisfies(range -> assertThat(range.from()).isEqualTo(Lsn.parse("0/200")));
        }
    }

    /** Whether the follower's connection listens (its last statement was the LISTEN). */
    private boolean listening() throws SQLException {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE datname = current_database() AND query = 'LISTEN " + ChangeLogFollower.CHANNEL + "'")) {
            row.next();
            return row.getLong(1) > 0;
        }
    }
}
