package dev.tidemark.client.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Lsn;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A sync status")
class SyncStatusTest {

    private static SyncStatus status(ClientState state, String committed, String server) {
        return new SyncStatus(state, "c-1", "h", Lsn.parse(committed), Lsn.parse(server), 0, 0,
                Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    @DisplayName("measures lag in WAL bytes, unsigned, never negative")
    void lag() {
        assertThat(status(ClientState.CONNECTED, "0/100", "1/0").lagBytes()).isEqualTo(0x1_0000_0000L - 0x100);
        assertThat(status(ClientState.CONNECTED, "0/200", "0/100").lagBytes()).isZero();
        assertThat(status(ClientState.CONNECTED, "7FFFFFFF/0", "80000000/0").lagBytes()).isEqualTo(1L << 32);
    }

    @Test
    @DisplayName("is caught up only while connected with the server position applied")
    void caughtUp() {
        assertThat(status(ClientState.CONNECTED, "0/100", "0/100").caughtUp()).isTrue();
        assertThat(status(ClientState.CONNECTED, "0/FF", "0/100").caughtUp()).isFalse();
        assertThat(status(ClientState.BACKING_OFF, "0/100", "0/100").caughtUp()).isFalse();
        assertThat(status(ClientState.CONNECTED, "0/100", "0/100").connected()).isTrue();
    }

    @Test
    @DisplayName("tells how long ago the last applied change was committed at the source")
    void sinceLastSourceCommit() {
        assertThat(status(ClientState.CONNECTED, "0/1", "0/1").sinceLastSourceCommit(Instant.parse("2026-01-01T00:00:05Z")))
                .contains(Duration.ofSeconds(5));
        assertThat(new SyncStatus(ClientState.NEW, null, null, Lsn.ZERO, Lsn.ZERO, 0, 0, null)
                .sinceLastSourceCommit(Instant.now())).isEmpty();
    }
}
