package dev.tidemark.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The rotation over server nodes")
class ServerRotationTest {

    private static final URI A = URI.create("ws://a:7070/sync");
    private static final URI B = URI.create("ws://b:7070/sync");
    private static final URI C = URI.create("ws://c:7070/sync");

    @Test
    @DisplayName("tries the next node at once, and completes a round (backoff) once every node failed in a row")
    void roundRobin() {
        ServerRotation rotation = new ServerRotation(List.of(A, B, C));
        assertThat(rotation.current()).isEqualTo(A);
        assertThat(rotation.failed()).isFalse();
        assertThat(rotation.current()).isEqualTo(B);
        assertThat(rotation.failed()).isFalse();
        assertThat(rotation.current()).isEqualTo(C);
        assertThat(rotation.failed()).as("A, B and C failed: the round is complete").isTrue();
        assertThat(rotation.failedRounds()).isZero();
        rotation.roundWaited();
        assertThat(rotation.current()).isEqualTo(A);
        assertThat(rotation.failed()).isFalse();
        assertThat(rotation.failed()).isFalse();
        assertThat(rotation.failed()).isTrue();
        assertThat(rotation.failedRounds()).as("the second round in a row waits longer").isEqualTo(1);
    }

    @Test
    @DisplayName("starts after the node that failed, and a welcome starts a fresh round and backoff")
    void startsAfterTheFailedNode() {
        ServerRotation rotation = new ServerRotation(List.of(A, B, C));
        rotation.failed();
        rotation.roundWaited();
        rotation.connected();
        assertThat(rotation.current()).isEqualTo(B);
        assertThat(rotation.failed()).isFalse();
        assertThat(rotation.current()).isEqualTo(C);
        assertThat(rotation.failed()).isFalse();
        assertThat(rotation.current()).isEqualTo(A);
        assertThat(rotation.failed()).isTrue();
        assertThat(rotation.failedRounds()).isZero();
    }

    @Test
    @DisplayName("with one node, every failure completes a round: the single-node backoff")
    void oneNode() {
        ServerRotation rotation = new ServerRotation(List.of(A));
        assertThat(rotation.several()).isFalse();
        for (int attempt = 0; attempt < 100; attempt++) {
            assertThat(rotation.failed()).isTrue();
            assertThat(rotation.failedRounds()).isEqualTo(Math.min(attempt, 62));
            rotation.roundWaited();
            assertThat(rotation.current()).isEqualTo(A);
        }
    }
}
