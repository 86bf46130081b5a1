package dev.tidemark.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.hub.Hub;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.hub.HubModule;
import dev.tidemark.server.hub.testing.InMemoryChangeLog;
import dev.tidemark.server.spi.ChangeLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Guice wiring")
class GuiceWiringTest {

    @Test
    @DisplayName("HubModule and HttpModule build a server that serves /healthz and Prometheus /metrics")
    void modulesWire() throws Exception {
        InMemoryChangeLog changeLog = new InMemoryChangeLog();
        changeLog.startHistory("h", Lsn.ZERO);
        Injector injector = Guice.createInjector(new HubModule(), new HttpModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(HubConfig.class).toInstance(HubConfig.defaults());
                bind(HttpConfig.class).toInstance(HttpConfig.builder().bindAddress("127.0.0.1").port(0).build());
                bind(AuthConfig.class).toInstance(AuthConfig.disabled());
                bind(ChangeLog.class).toInstance(changeLog);
                bind(ChangeFeed.class).toInstance(new ChangeFeed());
            }
        });
        Hub hub = injector.getInstance(Hub.class);
        assertThat(injector.getInstance(SyncServer.class).hub()).isSameAs(hub);
        hub.start();
        try (SyncServer server = injector.getInstance(SyncServer.class).start()) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("tidemark_hub_sessions");
            assertThat(hub.isReady()).isTrue();
        } finally {
            hub.close();
        }
    }
}
