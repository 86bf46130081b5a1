package dev.tidemark.server.cli;

import dev.tidemark.server.runtime.ServerRuntime;
import io.micrometer.core.instrument.MeterRegistry;

/** Turns a validated configuration into what the runtime starts from. */
final class Runtimes {

    private Runtimes() {}

    static ServerRuntime.Settings settings(ServerConfig config, MeterRegistry meters) {
        return new ServerRuntime.Settings(config.source(), config.embedded(), config.changeLogProvider(),
                config.changeLogConfig(), config.capture(), config.sync(), meters, config.retention(),
                config.retentionInterval());
    }
}
