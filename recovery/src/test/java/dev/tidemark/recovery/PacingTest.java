package dev.tidemark.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PacingTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    @DisplayName("a stampede of resyncs is admitted at the configured rate, and the rest are told when to come back")
    void pacesAStampede() {
        ResyncPacer pacer = new ResyncPacer(10, 5, 0.5, now::get, new Random(7));
        List<Duration> waits = new ArrayList<>();
        int admitted = 0;
        for (int i = 0; i < 100; i++) {
            Admission admission = pacer.tryAdmit();
            if (admission.admitted()) {
                admitted++;
            } else {
                waits.add(admission.retryAfter());
            }
        }
        assertThat(admitted).isEqualTo(5);
        // 95 waiting clients at 10/s: the last comes back after at least 9.5 s, spread by up to 50% jitter.
        assertThat(waits.get(waits.size() - 1)).isBetween(Duration.ofMillis(9_500), Duration.ofMillis(14_250));
        assertThat(waits).doesNotHaveDuplicates();
        assertThat(waits.get(0)).isLessThan(waits.get(waits.size() - 1));
    }

    @Test
    @DisplayName("tokens come back with time, up to the burst")
    void refills() {
        ResyncPacer pacer = new ResyncPacer(2, 1, 0, now::get, new Random(1));
        assertThat(pacer.tryAdmit().admitted()).isTrue();
        Admission second = pacer.tryAdmit();
        assertThat(second.admitted()).isFalse();
        assertThat(second.retryAfter()).isEqualTo(Duration.ofMillis(500));
        pacer.returned();
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(pacer.tryAdmit().admitted()).isTrue();
        assertThat(pacer.tryAdmit().admitted()).as("burst is 1").isFalse();
    }

    @Test
    @DisplayName("verification is rate-limited per client, and other clients are unaffected")
    void rateLimitsVerify() {
        RequestRateLimiter limiter = new RequestRateLimiter(Duration.ofSeconds(5), 2, now::get);
        assertThat(limiter.tryAcquire("a").admitted()).isTrue();
        Admission again = limiter.tryAcquire("a");
        assertThat(again.admitted()).isFalse();
        assertThat(again.retryAfter()).isEqualTo(Duration.ofSeconds(5));
        assertThat(limiter.tryAcquire("b").admitted()).isTrue();
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(limiter.tryAcquire("a").admitted()).isTrue();
    }
}
