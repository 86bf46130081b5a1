package dev.tidemark.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.recovery.RetentionPlanner.Client;
import dev.tidemark.recovery.RetentionPlanner.History;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RetentionPlannerTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private final RetentionPlanner planner = new RetentionPlanner(
            new RetentionPolicy(Duration.ofHours(1), Duration.ofDays(1), 1_000, 0.2));

    private static Lsn lsn(String text) {
        return Lsn.parse(text);
    }

    @Test
    @DisplayName("history is trimmed up to the slowest active client, which is named")
    void slowestActiveClientHoldsHistory() {
        RetentionPlan plan = planner.plan(new History(lsn("0/900"), Optional.empty(), Optional.empty(), Optional.empty()),
                List.of(new Client("fast", lsn("0/800"), NOW, true), new Client("slow", lsn("0/300"), NOW.minusSeconds(60), false)),
                NOW);
        assertThat(plan.trimThrough()).contains(lsn("0/300"));
        assertThat(plan.heldBackBy()).contains("slow");
        assertThat(plan.losingClients()).isEmpty();
    }

    @Test
    @DisplayName("a client silent longer than the timeout holds nothing back, and is told it will need a resync")
    void deadClientDoesNotHoldHistory() {
        RetentionPlan plan = planner.plan(new History(lsn("0/900"), Optional.empty(), Optional.empty(), Optional.empty()),
                List.of(new Client("live", lsn("0/800"), NOW, true), new Client("dead", lsn("0/100"), NOW.minus(Duration.ofHours(2)), false)),
                NOW);
        assertThat(plan.trimThrough()).contains(lsn("0/800"));
        assertThat(plan.losingClients()).containsExactly("dead");
    }

    @Test
    @DisplayName("the age and size limits trim even what an active client needs; clients near the age horizon are warned")
    void limitsWin() {
        RetentionPlan plan = planner.plan(new History(lsn("0/900"), Optional.of(lsn("0/200")), Optional.of(lsn("0/400")),
                        Optional.of(lsn("0/250"))),
                List.of(new Client("old", lsn("0/100"), NOW, true), new Client("aging", lsn("0/350"), NOW, true),
                        new Client("fresh", lsn("0/850"), NOW, true)),
                NOW);
        assertThat(plan.trimThrough()).contains(lsn("0/250"));
        assertThat(plan.losingClients()).containsExactly("old");
        assertThat(plan.nearHorizonClients()).containsExactly("aging");
    }

    @Test
    @DisplayName("nothing is trimmed from an empty history")
    void emptyHistory() {
        RetentionPlan plan = planner.plan(new History(Lsn.ZERO, Optional.empty(), Optional.empty(), Optional.empty()), List.of(), NOW);
        assertThat(plan.trimThrough()).isEmpty();
    }
}
