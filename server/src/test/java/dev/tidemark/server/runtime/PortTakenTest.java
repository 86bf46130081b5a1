package dev.tidemark.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.PortInUseException;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A server whose port is taken")
class PortTakenTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    @Test
    @DisplayName("fails before capture starts, naming the port and what to do, and creates no slot")
    void failsBeforeCaptureNamingThePort() throws Exception {
        SourceSettings source = postgres.createDatabase();
        try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE items (id int PRIMARY KEY, name text)");
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            SyncServerConfig sync = new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(port).build(),
                    HubConfig.defaults(), AuthConfig.withSecret("port-taken-test-secret-0123456789abcdef"));
            ServerRuntime.Settings settings = new ServerRuntime.Settings(source,
                    "postgres", Optional.empty(),
                    CaptureSettings.builder().slotName("port_taken_slot").tables(List.of("items")).build(), sync,
                    new SimpleMeterRegistry());

            assertThatThrownBy(() -> ServerRuntime.start(settings))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessageContaining("port " + port)
                    .hasMessageContaining("--port");
        }
        try (Connection connection = source.connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'port_taken_slot'");
             ResultSet row = query.executeQuery()) {
            row.next();
            assertThat(row.getInt(1)).as("replication slots created").isZero();
        }
    }
}
