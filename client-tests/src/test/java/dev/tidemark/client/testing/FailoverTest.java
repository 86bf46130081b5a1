package dev.tidemark.client.testing;

import static dev.tidemark.client.testing.TestClients.sqlite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tidemark.client.ReconnectBackoff;
import dev.tidemark.client.TidemarkClient;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.status.ClientState;
import dev.tidemark.client.status.SyncError;
import dev.tidemark.protocol.Hello;
import dev.tidemark.protocol.Lsn;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A client given several server URLs")
class FailoverTest {

    private static final Duration LONG = Duration.ofSeconds(30);
    /** Far longer than any wait below: a client that waited its backoff before trying the next node fails them. */
    private static final ReconnectBackoff SLOW_BACKOFF = ReconnectBackoff.of(Duration.ofSeconds(20), Duration.ofSeconds(40));

    @TempDir
    Path dir;

    private final List<ScriptedServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(ScriptedServer::close);
    }

    private ScriptedServer start(ScriptedServer.Builder builder) {
        ScriptedServer server = builder.start();
        servers.add(server);
        return server;
    }

    /** The URL of a loopback port nothing listens on (a server was there and is gone). */
    private static URI deadNode() {
        ScriptedServer probe = ScriptedServer.builder().start();
        URI uri = probe.uri();
        probe.close();
        return uri;
    }

    private static void assertConverged(ScriptedServer server, SyncStore store) {
        Lsn head = server.history().head();
        assertThat(store.committedLsn()).isEqualTo(head);
        assertThat(store.committedChecksum()).as("checksum of every change applied, once each")
                .isEqualTo(server.history().checksumUpTo(head));
        assertThat(ExpectedState.of(server.history().changesUpTo(head)).differencesFrom(store)).isEmpty();
    }

    @Test
    @DisplayName("connects to the second URL at once when the first refuses connections")
    void firstRefuses() throws Exception {
        URI dead = deadNode();
        ScriptedServer live = start(ScriptedServer.builder());
        live.history().appendAll(Workload.standard(71).transactions(10, 5));
        TestClients.Errors errors = new TestClients.Errors();
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = TidemarkClient.builder().serverUrls(List.of(dead.toString(), live.uri().toString()))
                     .store(store).listener(errors).reconnectBackoff(SLOW_BACKOFF).build().start()) {
            client.caughtUp().get(10, TimeUnit.SECONDS);
            assertConverged(live, store);
            assertThat(client.status().serverNode()).contains(live.uri());
            assertThat(errors.seen).hasSize(1);
            assertThat(errors.seen.get(0).kind()).isEqualTo(SyncError.Kind.CONNECTION);
            assertThat(errors.seen.get(0).message()).contains("cannot connect to " + dead, "trying " + live.uri() + " now");
        }
    }

    @Test
    @DisplayName("moves to the other node when its node dies and resumes from its committed position, nothing lost or doubled")
    void connectedNodeDies() throws Exception {
        ScriptedServer a = start(ScriptedServer.builder().batchMaxChanges(20));
        ScriptedServer b = start(ScriptedServer.builder().batchMaxChanges(20));
        List<List<dev.tidemark.protocol.Change>> first = Workload.standard(72).transactions(30, 4);
        a.history().appendAll(first);
        b.history().appendAll(first);
        assertThat(a.history().head()).as("the nodes serve one history").isEqualTo(b.history().head());
        TestClients.Errors errors = new TestClients.Errors();
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = TidemarkClient.builder().serverUri(a.uri()).serverUri(b.uri()).store(store)
                     .listener(errors).reconnectBackoff(SLOW_BACKOFF).build().start()) {
            client.caughtUp().get(LONG.toSeconds(), TimeUnit.SECONDS);
            assertThat(client.status().serverNode()).contains(a.uri());
            Lsn committedOnA = store.committedLsn();
            assertThat(committedOnA).isEqualTo(a.history().head());

            servers.remove(a);
            a.close();
            List<List<dev.tidemark.protocol.Change>> more = Workload.standard(73).transactions(30, 4);
            b.history().appendAll(more);

            await().atMost(Duration.ofSeconds(10)).until(() -> client.status().caughtUp()
                    && client.status().serverNode().filter(b.uri()::equals).isPresent()
                    && store.committedLsn().equals(b.history().head()));
            assertConverged(b, store);
            List<Hello> hellos = b.hellos();
            assertThat(hellos).isNotEmpty();
            assertThat(hellos.get(0).lastLsn()).as("resumes from the position committed on the first node")
                    .isEqualTo(committedOnA);
            assertThat(b.rewinds()).isZero();
            assertThat(b.violations()).isEmpty();
            assertThat(errors.seen).extracting(SyncError::message)
                    .anyMatch(message -> message.contains("trying " + b.uri() + " now"));
        }
    }

    @Test
    @DisplayName("with every node down, waits a growing backoff per round, not per URL, and connects once one is back")
    void allDown() throws Exception {
        URI first = deadNode();
        URI second = deadNode();
        TestClients.Errors errors = new TestClients.Errors();
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = TidemarkClient.builder().serverUrls(List.of(first.toString(), second.toString()))
                     .store(store).listener(errors)
                     .reconnectBackoff(ReconnectBackoff.of(Duration.ofMillis(20), Duration.ofMillis(160))
                             .withMultiplier(2.0).withJitter(0.5)).build().start()) {
            await().atMost(LONG).until(() -> roundDelays(errors).size() >= 6);
            List<String> messages = errors.seen.stream().filter(error -> error.kind() == SyncError.Kind.CONNECTION)
                    .map(SyncError::message).toList();
            Pattern round = Pattern.compile("every server failed; reconnecting to (\\S+) in (\\d+) ms$");
            // Per round: the first node fails and the second is tried at once, then the second fails and the backoff runs.
            for (int i = 0; i < 12; i += 2) {
                assertThat(messages.get(i)).as("message %d", i).startsWith("cannot connect to " + first)
                        .endsWith("trying " + second + " now");
                assertThat(messages.get(i + 1)).as("message %d", i + 1).startsWith("cannot connect to " + second)
                        .matches(m -> round.matcher(m).find());
            }
            List<Long> delays = roundDelays(errors);
            for (int attempt = 0; attempt < 6; attempt++) {
                long full = Math.min(160, 20L << attempt);
                assertThat(delays.get(attempt)).as("delay of round %d", attempt).isBetween(full / 2, full);
            }

            ScriptedServer back = start(ScriptedServer.builder().port(second.getPort()));
            back.history().appendAll(Workload.standard(74).transactions(5, 5));
            client.caughtUp().get(LONG.toSeconds(), TimeUnit.SECONDS);
            assertConverged(back, store);
            assertThat(client.status().serverNode()).contains(back.uri());
        }
    }

    private static List<Long> roundDelays(TestClients.Errors errors) {
        Pattern delay = Pattern.compile("reconnecting to \\S+ in (\\d+) ms$");
        List<Long> delays = new ArrayList<>();
        for (SyncError error : errors.seen) {
            Matcher matcher = delay.matcher(error.message());
            if (matcher.find()) {
                delays.add(Long.parseLong(matcher.group(1)));
            }
        }
        return delays;
    }

    @Test
    @DisplayName("stops on a node that refuses its credential instead of trying the others")
    void refusedCredentialStops() throws Exception {
        ScriptedServer guarded = start(ScriptedServer.builder().token("right"));
        ScriptedServer other = start(ScriptedServer.builder());
        try (SyncStore store = sqlite(dir.resolve("client.db"));
             TidemarkClient client = TidemarkClient.builder().serverUri(guarded.uri()).serverUri(other.uri())
                     .token("wrong").store(store).reconnectBackoff(SLOW_BACKOFF).build().start()) {
            await().atMost(LONG).until(() -> client.status().state() == ClientState.FAILED);
            assertThat(other.connections()).as("the other node is not tried").isZero();
        }
    }
}
