package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.OptionalBinder;
import dev.tidemark.server.feed.ChangeFeed;
import dev.tidemark.server.pg.SourceSettings;
import dev.tidemark.server.pg.TestDatabases;
import dev.tidemark.server.spi.ChangeLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The capture Guice module")
class CaptureModuleTest {

    @RegisterExtension
    static final TestDatabases postgres = new TestDatabases();

    @Test
    @DisplayName("wires one capture service and its metrics into the registry the server binds")
    void wires() {
        SourceSettings source = postgres.createDatabase();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ChangeLog log = CaptureFixture.openChangeLog(source)) {
            Injector injector = Guice.createInjector(
                    new CaptureModule(CaptureSettings.builder().tables(java.util.List.of("t")).build(), source),
                    new AbstractModule() {
                        @Override
                        protected void configure() {
                            bind(ChangeLog.class).toInstance(log);
                            bind(ChangeFeed.class).asEagerSingleton();
                            OptionalBinder.newOptionalBinder(binder(), MeterRegistry.class).setBinding().toInstance(registry);
                        }
                    });
            CaptureService service = injector.getInstance(CaptureService.class);
            assertThat(injector.getInstance(CaptureService.class)).isSameAs(service);
            assertThat(service.status().state()).isEqualTo(CaptureStatus.State.NEW);
            assertThat(registry.find("tidemark.capture.changes").counter()).isNotNull();
        }
    }

    @Test
    @DisplayName("falls back to a private registry when the server binds none")
    void ownRegistry() {
        SourceSettings source = postgres.createDatabase();
        try (ChangeLog log = CaptureFixture.openChangeLog(source)) {
            Injector injector = Guice.createInjector(
                    new CaptureModule(CaptureSettings.builder().tables(java.util.List.of("t")).build(), source),
                    binder -> {
                        binder.bind(ChangeLog.class).toInstance(log);
                        binder.bind(ChangeFeed.class).asEagerSingleton();
                    });
            assertThat(injector.getInstance(CaptureMetrics.class)).isSameAs(injector.getInstance(CaptureMetrics.class));
        }
    }
}
