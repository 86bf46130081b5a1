package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.ErrorCode;
import dev.tidemark.protocol.ErrorMessage;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.Message;
import dev.tidemark.protocol.Welcome;
import dev.tidemark.recovery.Admission;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.auth.Authenticator;
import dev.tidemark.server.feed.CaptureHealth;
import dev.tidemark.server.hub.testing.WsTestClient;
import dev.tidemark.server.http.SyncServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The hub when its cluster state cannot be reached: it fails closed")
class ClusterStateHubTest extends HubTestBase {

    /** A cluster state whose database is gone: every call fails as PostgresClusterState's do. */
    private static final class Unreachable implements ClusterState {
        @Override
        public void start(ClaimListener listener) {
        }

        @Override
        public OptionalLong claim(String clientId, String session) {
            throw new ClusterStateException("could not claim client '" + clientId + "': connection refused", null);
        }

        @Override
        public Admission admitResync(String clientId) {
            throw new ClusterStateException("could not admit: connection refused", null);
        }

        @Override
        public Admission allow(String clientId, RequestKind kind) {
            throw new ClusterStateException("could not check: connection refused", null);
        }

        @Override
        public int resyncWaiting() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    @Test
    @DisplayName("every admission is refused with a retry time, never allowed unchecked")
    void admissionsAreRefused() {
        ResyncGate gate = new ResyncGate(new Unreachable(), Runnable::run);
        Admission refused = new Admission(false, ResyncGate.UNAVAILABLE_RETRY);
        CompletableFuture<Admission> verify = new CompletableFuture<>();
        gate.verify("c1", Runnable::run, verify::complete);
        assertThat(verify).isCompletedWithValue(refused);
        CompletableFuture<Admission> sourceVerify = new CompletableFuture<>();
        gate.sourceVerify("c1", Runnable::run, sourceVerify::complete);
        assertThat(sourceVerify).isCompletedWithValue(refused);
        CompletableFuture<Admission> admit = new CompletableFuture<>();
        gate.admit("c1", Runnable::run, admit::complete);
        assertThat(admit).isCompletedWithValue(refused);
    }

    @Test
    @DisplayName("a client whose claim cannot be recorded is told to reconnect (close 1013) with the reason")
    void unrecordedClaimClosesTheConnection() {
        HubConfig config = testHub().build();
        Hub hub = new Hub(config, changeLog, feed, meters, Clock.systemUTC(), Optional.empty(),
                CaptureHealth.COMPLETE, Optional.of(new Unreachable()));
        server = new SyncServer(testHttp().build(), hub, new Authenticator(AuthConfig.withSecret(SECRET),
                Clock.systemUTC()), meters);
        hub.start();
        track(hub);
        server.start();

        WsTestClient client = connect("c1");
        client.send(new Hello("c1", Lsn.ZERO, null, Message.PROTOCOL_VERSION, List.of(Hello.CAPABILITY_ACK),
                List.of()));
        assertThat(client.next(Welcome.class, WAIT).historyId()).isEqualTo(historyId);
        ErrorMessage error = client.next(ErrorMessage.class, WAIT);
        assertThat(error.code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(error.message()).contains("could not record this connection", "reconnect");
        assertThat(client.closeCode()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(CloseCodes.TRY_AGAIN_LATER);
    }
}
