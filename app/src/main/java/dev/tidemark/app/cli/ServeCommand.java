package dev.tidemark.app.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.tidemark.app.config.ServerConfig;
import dev.tidemark.app.config.SettingsLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tidemark serve}: runs the reference server until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the reference server: capture from PostgreSQL and serve clients at ws://HOST:PORT/sync.",
                "With no tidemark.source.jdbc-url an embedded PostgreSQL is started in tidemark.embedded.data-dir."})
public class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--port", paramLabel = "PORT", description = "the sync endpoint's port (tidemark.http.port)")
    Integer port;

    @Option(names = "--source", paramLabel = "JDBC_URL", description = "the source database (tidemark.source.jdbc-url)")
    String source;

    @Option(names = "--tables", paramLabel = "T1,T2", description = "tables to capture (tidemark.capture.tables)")
    String tables;

    @Override
    public Integer call() throws InterruptedException {
        if (port != null) {
            config.put("tidemark.http.port", port.toString());
        }
        if (source != null) {
            config.put("tidemark.source.jdbc-url", source);
        }
        if (tables != null) {
            config.put("tidemark.capture.tables", tables);
        }
        SettingsLoader.Loaded settings = config.load();
        ServerConfig serverConfig = ServerConfig.from(settings.settings());
        log.info("starting with settings {}", settings.given());
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CountDownLatch stopped = new CountDownLatch(1);
        ReferenceServer runtime = ReferenceServer.start(serverConfig, meters);
        Thread shutdown = new Thread(() -> {
            log.info("shutting down: closing connections, flushing client progress, confirming the slot");
            runtime.close();
            stopped.countDown();
        }, "tidemark-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        log.info("tidemark is serving at ws://{}:{}/sync (Ctrl-C stops it)", serverConfig.sync().http().bindAddress(),
                runtime.port());
        stopped.await();
        return 0;
    }
}
