package dev.tidemark.server.cli;

import static java.util.Objects.requireNonNull;

import dev.tidemark.recovery.RetentionPolicy;
import dev.tidemark.server.capture.CaptureException;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.http.ServerSettings;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.pg.EmbeddedPostgresSettings;
import dev.tidemark.server.pg.SourceSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Everything {@code tidemark serve} runs with, read from {@code tidemark.*} settings and validated at
 * startup: a bad value or an unknown key is an error that names the key.
 *
 * @param source the source PostgreSQL, or empty to start an embedded one
 * @param embedded where and how the embedded PostgreSQL runs (used when {@code source} is empty)
 * @param changeLogProvider the {@code ChangeLogProvider} name
 * @param changeLogConfig the change log's own connection, or empty to keep it in the source database
 * @param capture capture settings
 * @param sync endpoint, hub and auth settings
 * @param retention how long history is kept
 * @param retentionInterval how often the retention job runs
 */
public record ServerConfig(Optional<SourceSettings> source, EmbeddedPostgresSettings embedded, String changeLogProvider,
                           Optional<Map<String, String>> changeLogConfig, CaptureSettings capture,
                           SyncServerConfig sync, RetentionPolicy retention, Duration retentionInterval) {

    /** Keys read here; the endpoint's own keys are {@link ServerSettings#KEYS}. */
    static final Set<String> KEYS = Set.of(
            "tidemark.source.jdbc-url", "tidemark.source.user", "tidemark.source.password",
            "tidemark.embedded.data-dir", "tidemark.embedded.port",
            "tidemark.changelog.provider", "tidemark.changelog.jdbc-url", "tidemark.changelog.user",
            "tidemark.changelog.password",
            "tidemark.capture.slot", "tidemark.capture.publication", "tidemark.capture.tables",
            "tidemark.capture.schemas", "tidemark.capture.create-slot", "tidemark.capture.manage-publication",
            "tidemark.capture.heartbeat-interval", "tidemark.capture.max-batch-changes",
            "tidemark.capture.chunk-changes", "tidemark.capture.chunk-bytes", "tidemark.capture.queue-capacity",
            "tidemark.capture.status-interval", "tidemark.capture.restart-backoff",
            "tidemark.capture.restart-backoff-max",
            "tidemark.retention.client-timeout", "tidemark.retention.max-age", "tidemark.retention.max-changes",
            "tidemark.retention.interval");

    public ServerConfig {
        requireNonNull(source, "source is null");
        requireNonNull(embedded, "embedded is null");
        requireNonNull(changeLogProvider, "changeLogProvider is null");
        requireNonNull(changeLogConfig, "changeLogConfig is null");
        requireNonNull(capture, "capture is null");
        requireNonNull(sync, "sync is null");
        requireNonNull(retention, "retention is null");
        requireNonNull(retentionInterval, "retentionInterval is null");
    }

    /** Every key a configuration may set. */
    static Set<String> allKeys() {
        Set<String> keys = new TreeSet<>(KEYS);
        keys.addAll(ServerSettings.KEYS);
        return keys;
    }

    /**
     * Reads the configuration.
     *
     * @throws IllegalArgumentException naming the key, for an unknown key or a bad value
     */
    static ServerConfig from(Map<String, String> settings) {
        requireKnownKeys(settings);
        Map<String, String> endpoint = new HashMap<>();
        settings.forEach((key, value) -> {
            if (ServerSettings.KEYS.contains(key)) {
                endpoint.put(key, value);
            }
        });
        Values values = new Values(settings);
        Optional<SourceSettings> source = source(settings);
        EmbeddedPostgresSettings embedded = values.build("tidemark.embedded.data-dir",
                () -> new EmbeddedPostgresSettings(Path.of(values.text("tidemark.embedded.data-dir").orElse(".tidemark/postgres")),
                        values.number("tidemark.embedded.port", Integer::parseInt).orElse(0), Map.of()));
        Optional<Map<String, String>> changeLogConfig = changeLogConnection(settings);

        CaptureSettings.Builder capture = captureNames(values);
        values.bool("tidemark.capture.create-slot", capture::createSlot);
        values.bool("tidemark.capture.manage-publication", capture::managePublication);
        values.duration("tidemark.capture.heartbeat-interval", capture::heartbeatInterval);
        values.number("tidemark.capture.max-batch-changes", Integer::parseInt).ifPresent(capture::maxBatchChanges);
        values.number("tidemark.capture.chunk-changes", Integer::parseInt).ifPresent(capture::chunkChanges);
        values.size("tidemark.capture.chunk-bytes", capture::chunkBytes);
        values.number("tidemark.capture.queue-capacity", Integer::parseInt).ifPresent(capture::queueCapacity);
        values.duration("tidemark.capture.status-interval", capture::statusInterval);
        values.duration("tidemark.capture.restart-backoff", capture::restartBackoff);
        values.duration("tidemark.capture.restart-backoff-max", capture::maxRestartBackoff);

        RetentionPolicy defaults = RetentionPolicy.defaults();
        RetentionPolicy retention = values.build("tidemark.retention.*", () -> new RetentionPolicy(
                values.durationValue("tidemark.retention.client-timeout").orElse(defaults.clientTimeout()),
                values.durationValue("tidemark.retention.max-age").orElse(defaults.maxAge()),
                values.number("tidemark.retention.max-changes", Long::parseLong).orElse(defaults.maxChanges()),
                defaults.warnFraction()));
        Duration retentionInterval = values.durationValue("tidemark.retention.interval").orElse(Duration.ofMinutes(1));

        return new ServerConfig(source, embedded, changeLogProvider(settings),
                changeLogConfig, values.build("tidemark.capture.*", capture::build),
                ServerSettings.fromProperties(endpoint), retention, retentionInterval);
    }

    /**
     * Fails for a key no command reads.
     *
     * @throws IllegalArgumentException naming the unknown keys and where the known ones are listed
     */
    static void requireKnownKeys(Map<String, String> settings) {
        Set<String> unknown = new TreeSet<>(settings.keySet());
        unknown.removeAll(allKeys());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown settings " + unknown + ": 'tidemark serve --help' lists the"
                    + " known ones, and docs/operations.md (Configuration reference) explains each");
        }
    }

    /** The source database, when {@code tidemark.source.jdbc-url} is set. */
    static Optional<SourceSettings> source(Map<String, String> settings) {
        Values values = new Values(settings);
        return values.text("tidemark.source.jdbc-url")
                .map(url -> values.build("tidemark.source.jdbc-url", () -> new SourceSettings(url,
                        values.text("tidemark.source.user").orElse(null),
                        values.text("tidemark.source.password").orElse(null))));
    }

    /** The change log's own connection, when {@code tidemark.changelog.jdbc-url} is set. */
    static Optional<Map<String, String>> changeLogConnection(Map<String, String> settings) {
        Values values = new Values(settings);
        return values.text("tidemark.changelog.jdbc-url").map(url -> {
            Map<String, String> config = new LinkedHashMap<>();
            config.put("jdbcUrl", url);
            values.text("tidemark.changelog.user").ifPresent(user -> config.put("user", user));
            values.text("tidemark.changelog.password").ifPresent(password -> config.put("password", password));
            return Map.copyOf(config);
        });
    }

    /** The change log's provider name (default {@code postgres}). */
    static String changeLogProvider(Map<String, String> settings) {
        return new Values(settings).text("tidemark.changelog.provider").orElse("postgres");
    }

    /**
     * What {@code tidemark check} compares the database with: the slot, publication, tables and schemas
     * that are set (none need be), and whether capture may create the slot and manage the publication.
     */
    static CaptureSettings.Builder captureForCheck(Map<String, String> settings) {
        Values values = new Values(settings);
        CaptureSettings.Builder capture = captureNames(values);
        values.bool("tidemark.capture.create-slot", capture::createSlot);
        values.bool("tidemark.capture.manage-publication", capture::managePublication);
        return capture;
    }

    private static CaptureSettings.Builder captureNames(Values values) {
        CaptureSettings.Builder capture = CaptureSettings.builder();
        values.text("tidemark.capture.slot").ifPresent(capture::slotName);
        values.text("tidemark.capture.publication").ifPresent(capture::publicationName);
        values.list("tidemark.capture.tables").ifPresent(capture::tables);
        values.list("tidemark.capture.schemas").ifPresent(capture::schemas);
        return capture;
    }

    /** Typed reads of raw settings; every failure names its key. */
    private record Values(Map<String, String> settings) {

        Optional<String> text(String key) {
            return Optional.ofNullable(settings.get(key)).map(String::trim).filter(value -> !value.isEmpty());
        }

        Optional<List<String>> list(String key) {
            return text(key).map(value -> Arrays.stream(value.split(",")).map(String::trim)
                    .filter(item -> !item.isEmpty()).toList());
        }

        <T> Optional<T> number(String key, Function<String, T> parse) {
            return text(key).map(value -> parse(key, value, parse));
        }

        void bool(String key, Consumer<Boolean> target) {
            text(key).ifPresent(value -> {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new IllegalArgumentException("setting " + key + " must be true or false, not '" + value + "'");
                }
                target.accept(Boolean.parseBoolean(value));
            });
        }

        Optional<Duration> durationValue(String key) {
            return text(key).map(value -> parse(key, value, ServerSettings::parseDuration));
        }

        void duration(String key, Consumer<Duration> target) {
            durationValue(key).ifPresent(target);
        }

        void size(String key, Consumer<Long> target) {
            text(key).map(value -> parse(key, value, ServerSettings::parseSize)).ifPresent(target);
        }

        <T> T build(String key, java.util.function.Supplier<T> builder) {
            try {
                return builder.get();
            } catch (IllegalArgumentException | CaptureException e) {
                // Name the settings, not the builder's methods.
                String message = e.getMessage() == null ? "" : e.getMessage()
                        .replace("(or let an existing publication decide with managePublication=false)",
                                "with tidemark.capture.tables=T1,T2 (serve --tables) or tidemark.capture.schemas, or let an"
                                        + " existing publication decide with tidemark.capture.manage-publication=false");
                throw new IllegalArgumentException("invalid setting " + key + ": " + message, e);
            }
        }

        private static <T> T parse(String key, String value, Function<String, T> parse) {
            try {
                return parse.apply(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("setting " + key + " has a bad value '" + value + "': "
                        + e.getMessage(), e);
            }
        }
    }
}
