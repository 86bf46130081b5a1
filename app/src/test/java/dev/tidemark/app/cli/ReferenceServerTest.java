package dev.tidemark.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.app.config.ServerConfig;
import dev.tidemark.server.http.PortInUseException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The reference server")
class ReferenceServerTest {

    @TempDir
    Path directory;

    @Test
    @DisplayName("with its port taken fails naming the port, before it starts an embedded PostgreSQL")
    void portTakenStartsNoPostgres() throws Exception {
        Path dataDirectory = directory.resolve("postgres");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            ServerConfig config = ServerConfig.from(Map.of("tidemark.http.bind-address", "127.0.0.1",
                    "tidemark.http.port", Integer.toString(port), "tidemark.embedded.data-dir", dataDirectory.toString(),
                    "tidemark.capture.tables", "items", "tidemark.auth.enabled", "false"));
            assertThatThrownBy(() -> ReferenceServer.start(config, new SimpleMeterRegistry()))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessageContaining("port " + port);
        }
        assertThat(Files.exists(dataDirectory)).as("no embedded PostgreSQL started").isFalse();
    }
}
