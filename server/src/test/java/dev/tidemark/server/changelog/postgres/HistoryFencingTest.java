package dev.tidemark.server.changelog.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogs;
import dev.tidemark.server.spi.HistoryState;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import dev.tidemark.server.spi.StaleLeaderException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The leader epoch fences every change of the history, not only appends")
class HistoryFencingTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final Instant T = Instant.parse("2026-11-26T09:00:00Z");
    private static final Lsn L1 = Lsn.parse("0/100");

    private ChangeLog nodeA;
    private ChangeLog nodeB;

    @BeforeEach
    void open() {
        SourceSettings database = postgres.createDatabase();
        nodeA = ChangeLogs.open("postgres", database.asChangeLogConfig());
        nodeB = ChangeLogs.open("postgres", database.asChangeLogConfig());
        nodeA.startHistory("h1", Lsn.parse("0/10"));
    }

    @AfterEach
    void close() {
        nodeA.close();
        nodeB.close();
    }

    private List<String> ids(ChangeLog log) {
        return log.read(new LogPosition(Lsn.ZERO, 0), Lsn.MAX, Set.of(), Integer.MAX_VALUE).stream()
                .map(change -> change.change().entityId()).toList();
    }

    @Test
    @DisplayName("a node whose epoch is stale cannot start a new history: refused, the history and its changes unchanged")
    void staleEpochCannotStartHistory() {
        nodeA.leadership().orElseThrow().take("node a", "slot_x");
        nodeA.append(List.of(new LoggedChange(L1, 0, 7, Change.update("item", "1", "{\"id\":1}", T))), Optional.of(L1));
        nodeA.saveCapturedTableShapes(Map.of("item", "shape 1"), List.of());
        nodeB.leadership().orElseThrow().take("node b", "slot_x");
        HistoryState before = nodeA.state().orElseThrow();

        assertThatThrownBy(() -> nodeA.startHistory("h2", Lsn.parse("0/500")))
                .isInstanceOf(StaleLeaderException.class)
                .hasMessageContaining("start of history h2 refused")
                .hasMessageContaining("no longer leads capture")
                .hasMessageContaining("node b");
        assertThatThrownBy(() -> nodeA.saveCapturedTableShapes(Map.of("item", "shape 2"), List.of()))
                .isInstanceOf(StaleLeaderException.class);

        assertThat(nodeB.state()).contains(before);
        assertThat(ids(nodeB)).containsExactly("1");
        assertThat(nodeB.capturedTableShapes()).containsExactly(Map.entry("item", "shape 1"));

        HistoryState started = nodeB.startHistory("h2", Lsn.parse("0/500"));
        assertThat(started.historyId()).isEqualTo("h2");
        assertThat(ids(nodeB)).isEmpty();
    }

    @Test
    @DisplayName("a node that released the lead cannot start a new history until it takes the lead again")
    void releasedLeadCannotStartHistory() {
        nodeA.leadership().orElseThrow().take("node a", "slot_x");
        nodeA.leadership().orElseThrow().release();

        assertThatThrownBy(() -> nodeA.startHistory("h2", Lsn.parse("0/500")))
                .isInstanceOf(StaleLeaderException.class)
                .hasMessageContaining("gave up the lead");
        assertThat(nodeA.state().orElseThrow().historyId()).isEqualTo("h1");

        nodeA.leadership().orElseThrow().take("node a", "slot_x");
        assertThat(nodeA.startHistory("h2", Lsn.parse("0/500")).historyId()).isEqualTo("h2");
        assertThat(nodeB.state().orElseThrow().historyId()).isEqualTo("h2");
    }
}
