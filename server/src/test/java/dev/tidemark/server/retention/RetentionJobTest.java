package dev.tidemark.server.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.recovery.RetentionPlan;
import dev.tidemark.recovery.RetentionPolicy;
import dev.tidemark.server.hub.testing.InMemoryChangeLog;
import dev.tidemark.server.spi.ClientProgress;
import dev.tidemark.server.spi.LoggedChange;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The retention job")
class RetentionJobTest {

    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");

    private final InMemoryChangeLog log = new InMemoryChangeLog();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    /** One transaction per day for ten days, committed at LSN day*100, with two changes each. */
    private void tenDays() {
        log.startHistory("h", Lsn.ZERO);
        for (int day = 1; day <= 10; day++) {
            Lsn lsn = Lsn.of(day * 100L);
            Instant time = NOW.minus(Duration.ofDays(11 - day));
            log.append(List.of(new LoggedChange(lsn, 0, day, Change.update("t", day + "a", "{}", time)),
                    new LoggedChange(lsn, 1, day, Change.update("t", day + "b", "{}", time))), Optional.of(lsn));
        }
    }

    private RetentionJob job(RetentionPolicy policy) {
        return new RetentionJob(log, policy, Duration.ofMinutes(1), meters, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private double gauge(String name) {
        return meters.get(name).gauge().value();
    }

    @Test
    @DisplayName("trims below the slowest active client, and reports that nobody loses history")
    void heldBackByActiveClient() {
        tenDays();
        log.saveProgress(List.of(new ClientProgress("slow", Lsn.of(400), NOW, null, true, NOW),
                new ClientProgress("fast", Lsn.of(1000), NOW, null, true, NOW)));

        RetentionPlan plan = job(new RetentionPolicy(Duration.ofDays(1), Duration.ofDays(30), 1_000, 0.2)).runOnce()
                .orElseThrow();

        assertThat(plan.trimThrough()).contains(Lsn.of(400));
        assertThat(plan.heldBackBy()).contains("slow");
        assertThat(plan.losingClients()).isEmpty();
        assertThat(log.state().orElseThrow().retainedFrom()).isEqualTo(Lsn.of(400));
        assertThat(gauge("tidemark.retention.changes")).isEqualTo(12);
        assertThat(gauge("tidemark.retention.oldest.lsn")).isEqualTo(400);
    }

    @Test
    @DisplayName("its gauges keep reading after whoever built the job lets go of it (they read NaN when held weakly)")
    void gaugesOutliveTheJobsOwner() {
        tenDays();
        log.saveProgress(List.of(new ClientProgress("slow", Lsn.of(400), NOW, null, true, NOW)));
        RetentionJob job = job(new RetentionPolicy(Duration.ofDays(1), Duration.ofDays(30), 1_000, 0.2));
        job.runOnce().orElseThrow();
        WeakReference<RetentionJob> collected = new WeakReference<>(job);
        job = null;

        Awaitility.await("the job collected").atMost(Duration.ofSeconds(30)).until(() -> {
            System.gc();
            return collected.get() == null;
        });

        assertThat(gauge("tidemark.retention.changes")).isEqualTo(12);
        assertThat(gauge("tidemark.retention.oldest.lsn")).isEqualTo(400);
    }

    @Test
    @DisplayName("the age limit trims past a dead client, which will resync; a client near the limit is warned")
    void ageLimitAndWarnings() {
        tenDays();
        log.saveProgress(List.of(new ClientProgress("dead", Lsn.of(200), null, null, false, NOW.minus(Duration.ofDays(9))),
                new ClientProgress("near", Lsn.of(500), NOW, null, true, NOW),
                new ClientProgress("fine", Lsn.of(1000), NOW, null, true, NOW)));

        // Keep 5 days; warn at 80% of that (4 days): day 6 (LSN 600) is 5 days old, day 7 (700) 4 days old.
        RetentionPlan plan = job(new RetentionPolicy(Duration.ofDays(1), Duration.ofDays(5).plusHours(1), 1_000, 0.2))
                .runOnce().orElseThrow();

        assertThat(plan.trimThrough()).contains(Lsn.of(500));
        assertThat(plan.losingClients()).containsExactly("dead");
        assertThat(log.state().orElseThrow().retainedFrom()).isEqualTo(Lsn.of(500));
        assertThat(plan.nearHorizonClients()).containsExactly("near");
        assertThat(gauge("tidemark.retention.clients.resync")).isEqualTo(1);
        assertThat(gauge("tidemark.retention.clients.near.horizon")).isEqualTo(1);
    }

    @Test
    @DisplayName("the size limit keeps at most max-changes changes whatever clients need")
    void sizeLimit() {
        tenDays();
        log.saveProgress(List.of(new ClientProgress("slow", Lsn.of(100), NOW, null, true, NOW)));

        RetentionPlan plan = job(new RetentionPolicy(Duration.ofDays(1), Duration.ofDays(30), 5, 0.2)).runOnce()
                .orElseThrow();

        // Keeping days 9 and 10 is 4 changes; day 8 would make 6.
        assertThat(plan.trimThrough()).contains(Lsn.of(800));
        assertThat(plan.losingClients()).containsExactly("slow");
        assertThat(log.retainedChanges()).isEqualTo(4);
    }
}
