package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.runtime.ServerRuntime;
import dev.tidemark.server.spi.HistoryState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A second server started by mistake on a running server's source and change log")
class SecondServerCaptureTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static ServerRuntime.Settings settings(SourceSettings source, String slot) {
        SyncServerConfig sync = new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(0).build(),
                HubConfig.defaults(), AuthConfig.withSecret("second-server-test-secret-0123456789abcdef"));
        return new ServerRuntime.Settings(source, "postgres", Optional.empty(),
                CaptureSettings.builder().slotName(slot).tables(List.of("items")).build(), sync,
                new SimpleMeterRegistry());
    }

    private static long count(SourceSettings source, String sql) throws SQLException {
        try (Connection connection = source.connect(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    @Test
    @DisplayName("(other port, other slot) starts as a standby: creates no slot, leaves the history unchanged, says why")
    void standsByAndChangesNothing() throws Exception {
        SourceSettings source = postgres.createDatabase();
        try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE items (id int PRIMARY KEY, name text)");
        }
        try (ServerRuntime first = ServerRuntime.start(settings(source, "first_slot"))) {
            HistoryState before = first.changeLog().state().orElseThrow();

            try (ServerRuntime second = ServerRuntime.start(settings(source, "second_slot"))) {
                CaptureStatus status = second.capture().status();
                assertThat(status.state()).isEqualTo(CaptureStatus.State.STANDBY);
                assertThat(status.leader()).isFalse();
                assertThat(status.lastError()).contains("another node leads capture into this change log")
                        .contains("tidemark capture slot first_slot");
                assertThat(second.hub().isReady()).as("a standby serves clients from the change log").isTrue();
                assertThat(count(source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'second_slot'"))
                        .as("the second server's slot").isZero();
                assertThat(first.changeLog().state().orElseThrow().historyId()).isEqualTo(before.historyId());
                assertThat(first.capture().status().leader()).isTrue();
            }
            assertThat(count(source, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'second_slot'"))
                    .as("the second server's slot").isZero();
            assertThat(first.changeLog().state().orElseThrow().historyId()).isEqualTo(before.historyId());
            assertThat(first.capture().status().state()).isNotEqualTo(CaptureStatus.State.STOPPED);
        }
    }
}
