package dev.tidemark.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.CaptureLeader;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogs;
import dev.tidemark.server.spi.HistoryState;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.StaleLeaderException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

@DisplayName("The change log's leader epoch fences appends, and an append notifies the new position on commit")
class LeaderEpochTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final Instant T = Instant.parse("2026-11-26T09:00:00Z");
    private static final Lsn L1 = Lsn.parse("0/100");
    private static final Lsn L2 = Lsn.parse("0/200");
    private static final Lsn L3 = Lsn.parse("0/300");

    private SourceSettings database;
    private ChangeLog nodeA;
    private ChangeLog nodeB;

    @BeforeEach
    void open() {
        database = postgres.createDatabase();
        nodeA = ChangeLogs.open("postgres", database.asChangeLogConfig());
        nodeB = ChangeLogs.open("postgres", database.asChangeLogConfig());
        nodeA.startHistory("h1", Lsn.parse("0/10"));
    }

    @AfterEach
    void close() {
        nodeA.close();
        nodeB.close();
    }

    private static LoggedChange change(Lsn lsn, String id) {
        return new LoggedChange(lsn, 0, 7, Change.update("item", id, "{\"id\":" + id + "}", T));
    }

    private List<LoggedChange> all(ChangeLog log) {
        return log.read(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of(), Integer.MAX_VALUE);
    }

    @Test
    @DisplayName("each take is a new epoch; an append of the former leader is refused and changes nothing")
    void staleEpochAppendIsRefused() {
        assertThat(nodeA.leadership().orElseThrow().current()).isEmpty();
        CaptureLeader a = nodeA.leadership().orElseThrow().take("node a", "slot_x");
        nodeA.append(List.of(change(L1, "1")), Optional.of(L1));

        CaptureLeader b = nodeB.leadership().orElseThrow().take("node b", "slot_x");
        assertThat(b.epoch()).isEqualTo(a.epoch() + 1);
        assertThat(nodeA.leadership().orElseThrow().current()).hasValueSatisfying(leader -> {
            assertThat(leader.node()).isEqualTo("node b");
            assertThat(leader.slotName()).isEqualTo("slot_x");
            assertThat(leader.epoch()).isEqualTo(b.epoch());
        });
        HistoryState before = nodeA.state().orElseThrow();

        assertThatThrownBy(() -> nodeA.append(List.of(change(L2, "2")), Optional.of(L2)))
                .isInstanceOf(StaleLeaderException.class)
                .hasMessageContaining("this node no longer leads capture")
                .hasMessageContaining("epoch " + a.epoch())
                .hasMessageContaining("node b");
        assertThat(nodeA.state()).contains(before);
        assertThat(all(nodeA)).extracting(c -> c.change().entityId()).containsExactly("1");

        nodeB.append(List.of(change(L2, "2")), Optional.of(L2));
        assertThat(all(nodeB)).extracting(c -> c.change().entityId()).containsExactly("1", "2");
        assertThat(nodeB.state().orElseThrow().capturePosition()).isEqualTo(L2);
    }

    @Test
    @DisplayName("after a node released the lead its appends are refused (not unfenced) until it takes the lead again")
    void releasedLeadRefusesAppends() {
        nodeA.leadership().orElseThrow().take("node a", "slot_x");
        nodeA.append(List.of(change(L1, "1")), Optional.of(L1));
        nodeA.leadership().orElseThrow().release();
        HistoryState before = nodeA.state().orElseThrow();

        assertThatThrownBy(() -> nodeA.append(List.of(change(L2, "2")), Optional.of(L2)))
                .isInstanceOf(StaleLeaderException.class)
                .hasMessageContaining("gave up the lead");
        assertThat(nodeA.state()).contains(before);
        assertThat(all(nodeA)).extracting(c -> c.change().entityId()).containsExactly("1");

        nodeA.leadership().orElseThrow().take("node a", "slot_x");
        nodeA.append(List.of(change(L2, "2")), Optional.of(L2));
        assertThat(all(nodeA)).extracting(c -> c.change().entityId()).containsExactly("1", "2");
    }

    @Test
    @DisplayName("a log no node took the lead of is not fenced (one server, tools)")
    void unfencedLogAppends() {
        nodeA.append(List.of(change(L1, "1")), Optional.of(L1));
        assertThat(nodeA.state().orElseThrow().capturePosition()).isEqualTo(L1);
    }

    @Test
    @DisplayName("an append that moves the capture position notifies tidemark_appended with it; a refused one does not")
    void appendNotifiesOnCommit() throws SQLException {
        try (Connection listener = database.connect()) {
            try (Statement statement = listener.createStatement()) {
                statement.execute("LISTEN " + ChangeLogFollower.CHANNEL);
            }
            nodeA.leadership().orElseThrow().take("node a", "slot_x");
            nodeA.append(List.of(change(L1, "1")), Optional.of(L1));
            nodeA.append(List.of(change(L2, "2")), Optional.empty());
            nodeA.append(List.of(), Optional.of(L2));
            nodeB.leadership().orElseThrow().take("node b", "slot_x");
            assertThatThrownBy(() -> nodeA.append(List.of(change(L3, "3")), Optional.of(L3)))
                    .isInstanceOf(StaleLeaderException.class);

            List<String> payloads = new ArrayList<>();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (payloads.size() < 2 && System.nanoTime() < deadline) {
                PGNotification[] notifications = listener.unwrap(PGConnection.class).getNotifications(500);
                if (notifications != null) {
                    for (PGNotification notification : notifications) {
                        payloads.add(notification.getParameter());
                    }
                }
            }
            PGNotification[] more = listener.unwrap(PGConnection.class).getNotifications(300);
            if (more != null) {
                for (PGNotification notification : more) {
                    payloads.add(notification.getParameter());
                }
            }
            assertThat(payloads).containsExactly(L1.toString(), L2.toString());
        }
    }
}
