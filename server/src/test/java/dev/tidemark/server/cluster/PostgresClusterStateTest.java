package dev.tidemark.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.recovery.Admission;
import dev.tidemark.server.hub.ClusterState.RequestKind;
import dev.tidemark.server.hub.ClusterStateException;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The hub state two nodes share in PostgreSQL: claims, verify limits, resync admissions")
class PostgresClusterStateTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private SourceSettings database;

    @BeforeEach
    void migrate() {
        database = postgres.createDatabase();
        ChangeLog log = ChangeLogs.open("postgres", database.asChangeLogConfig());
        closeables.add(log);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    private PostgresClusterState node(String name, HubConfig config) {
        PostgresClusterState state = new PostgresClusterState(database, new NodeIdentity(name), config,
                Duration.ofSeconds(1));
        closeables.add(0, state);
        return state;
    }

    @Test
    @DisplayName("claims grow; a claim older than the recorded one is refused")
    void newestClaimWins() {
        PostgresClusterState a = node("a", HubConfig.defaults());
        PostgresClusterState b = node("b", HubConfig.defaults());
        OptionalLong first = a.claim("c1", "s1");
        OptionalLong second = b.claim("c1", "s2");
        assertThat(first).isPresent();
        assertThat(second).isPresent();
        assertThat(second.getAsLong()).isGreaterThan(first.getAsLong());
        assertThat(a.claim("c2", "s3")).isPresent();
    }

    @Test
    @DisplayName("one sync_verify per interval per client on all nodes together; source_verify and other clients"
            + " have their own limit")
    void verifyLimitAcrossNodes() {
        HubConfig config = HubConfig.builder().verifyInterval(Duration.ofSeconds(30)).build();
        PostgresClusterState a = node("a", config);
        PostgresClusterState b = node("b", config);
        assertThat(a.allow("c1", RequestKind.SYNC_VERIFY).admitted()).isTrue();
        Admission refused = b.allow("c1", RequestKind.SYNC_VERIFY);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(30));
        assertThat(a.allow("c1", RequestKind.SYNC_VERIFY).admitted()).isFalse();
        assertThat(b.allow("c1", RequestKind.SOURCE_VERIFY).admitted()).isTrue();
        assertThat(b.allow("c2", RequestKind.SYNC_VERIFY).admitted()).isTrue();
    }

    @Test
    @DisplayName("after the interval a client may verify again, on any node")
    void verifyAgainAfterInterval() {
        HubConfig config = HubConfig.builder().verifyInterval(Duration.ofMillis(300)).build();
        PostgresClusterState a = node("a", config);
        PostgresClusterState b = node("b", config);
        assertThat(a.allow("c1", RequestKind.SYNC_VERIFY).admitted()).isTrue();
        Admission refused = b.allow("c1", RequestKind.SYNC_VERIFY);
        assertThat(refused.admitted()).isFalse();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> b.allow("c1", RequestKind.SYNC_VERIFY).admitted());
    }

    @Test
    @DisplayName("the resync pacer's burst is shared: of many concurrent requests on two nodes exactly burst are"
            + " admitted, the others are told when to come back")
    void resyncBurstAcrossNodes() throws Exception {
        HubConfig config = HubConfig.builder().resyncBurst(3).resyncRatePerSecond(0.01).resyncJitter(0).build();
        PostgresClusterState a = node("a", config);
        PostgresClusterState b = node("b", config);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Admission>> answers = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String clientId = "c" + i;
                PostgresClusterState node = i % 2 == 0 ? a : b;
                answers.add(threads.submit((Callable<Admission>) () -> node.admitResync(clientId)));
            }
            int admitted = 0;
            for (Future<Admission> answer : answers) {
                Admission admission = answer.get();
                if (admission.admitted()) {
                    admitted++;
                } else {
                    assertThat(admission.retryAfter()).isGreaterThan(Duration.ofSeconds(50));
                }
            }
            assertThat(admitted).isEqualTo(3);
        } finally {
            threads.shutdownNow();
        }
        assertThat(b.admitResync("late").admitted()).isFalse();
    }

    @Test
    @DisplayName("when the database cannot be reached a claim and an admission fail within seconds with a clear"
            + " error (the hub then refuses: fail closed)")
    void unreachableFailsClosed() {
        SourceSettings nowhere = new SourceSettings("jdbc:postgresql://127.0.0.1:1/tidemark", "nobody", null);
        PostgresClusterState state = new PostgresClusterState(nowhere, new NodeIdentity("a"),
                HubConfig.builder().verifyInterval(Duration.ofSeconds(1)).build(), Duration.ofSeconds(1));
        closeables.add(state);
        long started = System.nanoTime();
        assertThatThrownBy(() -> state.claim("c1", "s1")).isInstanceOf(ClusterStateException.class)
                .hasMessageContaining("could not claim client 'c1'");
        assertThatThrownBy(() -> state.allow("c1", RequestKind.SYNC_VERIFY)).isInstanceOf(ClusterStateException.class)
                .hasMessageContaining("sync_verify");
        assertThatThrownBy(() -> state.admitResync("c1")).isInstanceOf(ClusterStateException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }
}
