package dev.tidemark.app.config;

import dev.tidemark.server.auth.AuthConfig;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.http.HttpConfig;
import dev.tidemark.server.hub.HubConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every {@code tidemark.*} setting of the reference server, one group per concern: the key is the method
 * name in kebab case under its group ({@code http().maxFrameBytes()} is {@code tidemark.http.max-frame-bytes}),
 * the default is its {@link WithDefault}. Bound and type-checked by SmallRye Config ({@link SettingsLoader});
 * each group's {@code toConfig} builds the server library's validated value.
 */
@ConfigMapping(prefix = "tidemark")
public interface TidemarkSettings {

    /** {@code tidemark.source.*}: the source PostgreSQL; without a URL an embedded one is started. */
    Source source();

    /** {@code tidemark.embedded.*}: the embedded PostgreSQL. */
    Embedded embedded();

    /** {@code tidemark.changelog.*}: where the change log lives. */
    @WithName("changelog")
    ChangeLog changeLog();

    /** {@code tidemark.capture.*}. */
    Capture capture();

    /** {@code tidemark.http.*}: the sync endpoint. */
    Http http();

    /** {@code tidemark.tls.*}. */
    Tls tls();

    /** {@code tidemark.hub.*}. */
    Hub hub();

    /** {@code tidemark.auth.*}. */
    Auth auth();

    /** {@code tidemark.retention.*}. */
    Retention retention();

    interface Source {
        Optional<String> jdbcUrl();
        Optional<String> user();
        Optional<Secret> password();
    }

    interface Embedded {
        @WithDefault(".tidemark/postgres") Path dataDir();
        @WithDefault("0") int port();
    }

    interface ChangeLog {
        @WithDefault("postgres") String provider();
        Optional<String> jdbcUrl();
        Optional<String> user();
        Optional<Secret> password();
    }

    interface Capture {
        @WithDefault("tidemark") String slot();
        @WithDefault("tidemark") String publication();
        Optional<List<String>> tables();
        Optional<List<String>> schemas();
        @WithDefault("true") boolean createSlot();
        @WithDefault("true") boolean managePublication();
        @WithDefault("10s") Duration heartbeatInterval();
        @WithDefault("20000") int maxBatchChanges();
        @WithDefault("5000") int chunkChanges();
        @WithDefault("8MiB") ByteSize chunkBytes();
        @WithDefault("40000") int queueCapacity();
        @WithDefault("10s") Duration statusInterval();
        @WithDefault("1s") Duration restartBackoff();
        @WithDefault("30s") Duration restartBackoffMax();

        /** The names to capture and whether capture may create the slot and manage the publication. */
        default CaptureSettings.Builder names() {
            CaptureSettings.Builder capture = CaptureSettings.builder().slotName(slot()).publicationName(publication())
                    .createSlot(createSlot()).managePublication(managePublication());
            tables().map(Capture::trimmed).ifPresent(capture::tables);
            schemas().map(Capture::trimmed).ifPresent(capture::schemas);
            return capture;
        }

        private static List<String> trimmed(List<String> names) {
            return names.stream().map(String::trim).filter(name -> !name.isEmpty()).toList();
        }

        default CaptureSettings toConfig() {
            return names().heartbeatInterval(heartbeatInterval()).maxBatchChanges(maxBatchChanges())
                    .chunkChanges(chunkChanges()).chunkBytes(chunkBytes().bytes()).queueCapacity(queueCapacity())
                    .statusInterval(statusInterval()).restartBackoff(restartBackoff())
                    .maxRestartBackoff(restartBackoffMax()).build();
        }
    }

    interface Http {
        @WithDefault("0.0.0.0") String bindAddress();
        @WithDefault("8080") int port();
        @WithDefault("64KiB") ByteSize maxFrameBytes();
        @WithDefault("256KiB") ByteSize maxMessageBytes();
        @WithDefault("10s") Duration handshakeTimeout();
        @WithDefault("60s") Duration idleTimeout();
        @WithDefault("20s") Duration pingInterval();
        @WithDefault("10000") int maxConnections();
        @WithDefault("512KiB") ByteSize writeBufferHigh();
        @WithDefault("256KiB") ByteSize writeBufferLow();
        @WithDefault("0") int ioThreads();
        @WithDefault("false") boolean compression();

        default HttpConfig toConfig(Tls tls) {
            return HttpConfig.builder().bindAddress(bindAddress()).port(port())
                    .maxFrameBytes(maxFrameBytes().intBytes("tidemark.http.max-frame-bytes"))
                    .maxMessageBytes(maxMessageBytes().intBytes("tidemark.http.max-message-bytes"))
                    .handshakeTimeout(handshakeTimeout()).idleTimeout(idleTimeout()).pingInterval(pingInterval())
                    .maxConnections(maxConnections())
                    .writeBufferHighWaterMark(writeBufferHigh().intBytes("tidemark.http.write-buffer-high"))
                    .writeBufferLowWaterMark(writeBufferLow().intBytes("tidemark.http.write-buffer-low"))
                    .ioThreads(ioThreads())
                    .compression(compression())
                    .tls(tls.certificate().orElse(null), tls.privateKey().orElse(null))
                    .build();
        }
    }

    interface Tls {
        Optional<Path> certificate();
        Optional<Path> privateKey();
    }

    interface Hub {
        @WithDefault("8") int window();
        @WithDefault("500") int batchMaxChanges();
        @WithDefault("1MiB") ByteSize batchMaxBytes();
        @WithDefault("500ms") Duration resendBackoff();
        @WithDefault("30s") Duration resendBackoffMax();
        @WithDefault("10") int resendRetryLimit();
        @WithDefault("1s") Duration progressFlushInterval();
        @WithDefault("5s") Duration emptyBatchInterval();
        @WithDefault("32MiB") ByteSize liveBufferBytes();
        @WithDefault("4") int readerThreads();
        @WithDefault("5s") Duration historyCheckInterval();
        @WithDefault("1s") Duration verifyInterval();
        @WithDefault("2") double resyncRate();
        @WithDefault("4") int resyncBurst();
        @WithDefault("0.5") double resyncJitter();

        default HubConfig toConfig() {
            return HubConfig.builder().window(window()).batchMaxChanges(batchMaxChanges())
                    .batchMaxBytes(batchMaxBytes().bytes()).resendBackoff(resendBackoff())
                    .resendBackoffMax(resendBackoffMax()).resendRetryLimit(resendRetryLimit())
                    .progressFlushInterval(progressFlushInterval()).emptyBatchInterval(emptyBatchInterval())
                    .liveBufferBytes(liveBufferBytes().bytes()).readerThreads(readerThreads())
                    .historyCheckInterval(historyCheckInterval()).verifyInterval(verifyInterval())
                    .resyncRatePerSecond(resyncRate()).resyncBurst(resyncBurst()).resyncJitter(resyncJitter()).build();
        }
    }

    interface Auth {
        @WithDefault("true") boolean enabled();
        Optional<Secret> secret();

        default AuthConfig toConfig() {
            return new AuthConfig(enabled(), secret().map(Secret::value).orElse(null));
        }
    }

    interface Retention {
        /** Default: {@code RetentionPolicy.defaults()}. */
        Optional<Duration> clientTimeout();

        /** Default: {@code RetentionPolicy.defaults()}. */
        Optional<Duration> maxAge();

        /** Default: {@code RetentionPolicy.defaults()}. */
        Optional<Long> maxChanges();
        @WithDefault("1m") Duration interval();
    }
}
