package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.TableProblem;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Capture health")
class CaptureHealthTrackerTest {

    private final AtomicLong now = new AtomicLong();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CaptureHealthTracker health = new CaptureHealthTracker(registry, Duration.ofSeconds(1), now::get);

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }

    @Test
    @DisplayName("is stalled when the source's WAL moved and capture made no progress for heartbeat + 10 s, not before")
    void noProgress() {
        health.progressed(Lsn.parse("0/100"));
        health.sourceWal(Lsn.parse("0/100"));
        advance(Duration.ofMinutes(5));
        assertThat(health.stalled()).as("an idle source is not a stall").isEmpty();
        health.sourceWal(Lsn.parse("0/200"));
        advance(Duration.ofSeconds(10));
        assertThat(health.stalled()).isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(health.stalled()).hasValueSatisfying(reason -> assertThat(reason).contains("0/200"));
        assertThat(registry.get("tidemark.capture.stalled").gauge().value()).isEqualTo(1.0);
        health.progressed(Lsn.parse("0/180"));
        assertThat(health.stalled()).as("progress, even short of the sample, is not a stall").isEmpty();
        advance(Duration.ofSeconds(11));
        assertThat(health.stalled()).isPresent();
        health.progressed(Lsn.parse("0/200"));
        assertThat(health.stalled()).isEmpty();
    }

    @Test
    @DisplayName("is stalled at once when capture failed, until it streams again")
    void failure() {
        health.failed("replication slot in use");
        assertThat(health.stalled()).hasValueSatisfying(reason -> assertThat(reason).contains("slot in use"));
        assertThat(health.complete()).isFalse();
        health.streaming();
        assertThat(health.stalled()).isEmpty();
        assertThat(health.complete()).isTrue();
    }

    @Test
    @DisplayName("lists excluded tables by entity type until they are included again or leave the capture set")
    void excluded() {
        health.exclude(new TableProblem("public.a", "a", "no key", "add one"));
        health.exclude(new TableProblem("shop.b", "shop.b", "no key", "add one"));
        assertThat(health.incompleteEntityTypes()).containsExactly("a", "shop.b");
        assertThat(registry.get("tidemark.capture.tables.excluded").gauge().value()).isEqualTo(2.0);
        assertThat(registry.get("tidemark.capture.incomplete").gauge().value()).isEqualTo(1.0);
        health.include("a");
        health.retain(type -> !type.equals("shop.b"));
        assertThat(health.problems()).isEmpty();
        assertThat(registry.get("tidemark.capture.incomplete").gauge().value()).isZero();
    }
}
