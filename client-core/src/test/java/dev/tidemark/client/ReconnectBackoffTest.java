package dev.tidemark.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reconnect backoff")
class ReconnectBackoffTest {

    private final ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, 0.5);

    @Test
    @DisplayName("doubles from the initial delay up to the cap")
    void grows() {
        assertThat(backoff.delay(0, 0.0)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delay(1, 0.0)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.delay(4, 0.0)).isEqualTo(Duration.ofMillis(1600));
        assertThat(backoff.delay(6, 0.0)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.delay(62, 0.0)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.delay(Integer.MAX_VALUE, 0.0)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    @DisplayName("takes at most the jitter fraction off a delay")
    void jitter() {
        assertThat(backoff.delay(3, 0.999_999)).isBetween(Duration.ofMillis(400), Duration.ofMillis(401));
        assertThat(backoff.delay(3, 0.5)).isEqualTo(Duration.ofMillis(600));
        assertThat(new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, 0.0).delay(3, 0.9))
                .isEqualTo(Duration.ofMillis(800));
    }

    @Test
    @DisplayName("rejects settings that make no sense, saying which")
    void validation() {
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1), 2, 0.5))
                .hasMessageContaining("initial reconnect delay must be positive");
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0.5))
                .hasMessageContaining("shorter than the initial one");
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5, 0.5))
                .hasMessageContaining("multiplier must be at least 1");
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), Double.NaN, 0.5))
                .hasMessageContaining("multiplier");
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 1.5))
                .hasMessageContaining("jitter must be from 0 to 1");
        assertThatThrownBy(() -> backoff.delay(-1, 0.1)).hasMessageContaining("attempt is negative");
        assertThatThrownBy(() -> backoff.delay(1, 1.0)).hasMessageContaining("random must be in [0, 1)");
    }

    @Test
    @DisplayName("is built from the two durations, with the multiplier and jitter changed one at a time")
    void builtStepByStep() {
        ReconnectBackoff built = ReconnectBackoff.of(Duration.ofMillis(100), Duration.ofSeconds(5));
        assertThat(built).isEqualTo(new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, 0.5));
        assertThat(built.withMultiplier(3).withJitter(0.25))
                .isEqualTo(new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 3.0, 0.25));
        assertThatThrownBy(() -> built.withJitter(-0.1)).hasMessageContaining("jitter must be from 0 to 1");
    }
}
