package dev.tidemark.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Binding;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.spi.InstanceBinding;
import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.capture.CaptureService;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.http.SyncServer;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.hub.Hub;
import dev.tidemark.server.hub.HubConfig;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.retention.RetentionJob;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The server graph")
class ServerGraphTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    private static final List<String> DECLARED = List.of("change log", "endpoint port", "capture", "hub",
            "change log follower", "node live lag", "endpoint", "node registry", "retention");

    @Test
    @DisplayName("is built by one injector and starts and stops in the declared order")
    void builtByTheInjectorStartedInOrder() throws Exception {
        SourceSettings source = postgres.createDatabase();
        try (Connection connection = source.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE items (id int PRIMARY KEY, name text)");
        }
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ServerRuntime.Settings settings = new ServerRuntime.Settings(source, "postgres", Optional.empty(),
                CaptureSettings.builder().slotName("graph_slot").tables(List.of("items")).build(),
                new SyncServerConfig(HttpConfig.builder().bindAddress("127.0.0.1").port(0).build(), HubConfig.defaults(),
                        AuthConfig.disabled()), meters);
        List<String> events = new CopyOnWriteArrayList<>();
        Lifecycle.Listener recorder = new Lifecycle.Listener() {
            @Override
            public void started(String step) {
                events.add("start " + step);
            }

            @Override
            public void stopped(String step) {
                events.add("stop " + step);
            }
        };
        Module listener = binder -> binder.bind(Lifecycle.Listener.class).toInstance(recorder);

        ServerRuntime runtime = ServerRuntime.start(settings, List.of(listener));
        Injector injector = runtime.injector();
        try {
            assertThat(injector.getInstance(Lifecycle.class).order()).isEqualTo(DECLARED);
            assertThat(events).containsExactlyElementsOf(DECLARED.stream().map(step -> "start " + step).toList());
            assertThat(runtime.capture().status().state()).isNotNull();
            assertThat(injector.getInstance(SyncServer.class).hub()).isSameAs(runtime.hub());
            assertThat(runtime.port()).isPositive();
            for (Class<?> service : List.of(ChangeLog.class, ChangeFeed.class, CaptureService.class, Hub.class,
                    SyncServer.class, RetentionJob.class)) {
                Binding<?> binding = injector.getBinding(service);
                assertThat(binding).as(service.getSimpleName() + " is built by the injector")
                        .isNotInstanceOf(InstanceBinding.class);
                assertThat(injector.getInstance(service)).as(service.getSimpleName() + " is one instance")
                        .isSameAs(injector.getInstance(service));
            }
            assertThat(injector.getInstance(MeterRegistry.class)).as("the one registry is the runtime's")
                    .isSameAs(meters);
            assertThat(meters.find("tidemark.capture.changes").counter()).isNotNull();
            assertThat(meters.find("tidemark.retention.changes").gauge()).isNotNull();
        } finally {
            runtime.close();
        }
        List<String> reversed = new java.util.ArrayList<>(DECLARED);
        java.util.Collections.reverse(reversed);
        assertThat(events.subList(DECLARED.size(), events.size()))
                .containsExactlyElementsOf(reversed.stream().map(step -> "stop " + step).toList());
    }
}
