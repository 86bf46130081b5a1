package dev.tidemark.app.config;

import static java.util.Objects.requireNonNull;

import dev.tidemark.app.pg.EmbeddedPostgresSettings;
import dev.tidemark.recovery.RetentionPolicy;
import dev.tidemark.server.capture.CaptureException;
import dev.tidemark.server.capture.CaptureSettings;
import dev.tidemark.server.http.SyncServerConfig;
import dev.tidemark.server.pg.SourceSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything {@code tidemark serve} runs with: the {@link TidemarkSettings} turned into the server library's
 * validated values. A value the library refuses is an error that names the key.
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

    /**
     * Reads the configuration from {@code settings} alone.
     *
     * @throws IllegalArgumentException naming the key, for an unknown key or a bad value
     */
    public static ServerConfig from(Map<String, String> settings) {
        return from(SettingsLoader.load(SettingsLoader.Sources.of(settings)).settings());
    }

    /**
     * @throws IllegalArgumentException naming the key, for a value the server refuses
     */
    public static ServerConfig from(TidemarkSettings settings) {
        Optional<SourceSettings> source = source(settings.source());
        EmbeddedPostgresSettings embedded = build("tidemark.embedded.*", () -> new EmbeddedPostgresSettings(
                settings.embedded().dataDir(), settings.embedded().port(), Map.of()));
        CaptureSettings capture = build("tidemark.capture.*", () -> settings.capture().toConfig());
        SyncServerConfig sync = sync(settings);
        RetentionPolicy defaults = RetentionPolicy.defaults();
        TidemarkSettings.Retention retention = settings.retention();
        RetentionPolicy policy = build("tidemark.retention.*", () -> new RetentionPolicy(
                retention.clientTimeout().orElse(defaults.clientTimeout()), retention.maxAge().orElse(defaults.maxAge()),
                retention.maxChanges().orElse(defaults.maxChanges()), defaults.warnFraction()));
        return new ServerConfig(source, embedded, settings.changeLog().provider(), changeLogConnection(settings.changeLog()),
                capture, sync, policy, retention.interval());
    }

    /** The endpoint's, hub's and auth settings. */
    public static SyncServerConfig sync(TidemarkSettings settings) {
        return build("tidemark.http.*, tidemark.tls.*, tidemark.hub.* or tidemark.auth.*",
                () -> new SyncServerConfig(settings.http().toConfig(settings.tls()), settings.hub().toConfig(),
                        settings.auth().toConfig()));
    }

    /** The source database, when {@code tidemark.source.jdbc-url} is set. */
    public static Optional<SourceSettings> source(TidemarkSettings.Source source) {
        return source.jdbcUrl().map(url -> build("tidemark.source.jdbc-url", () -> new SourceSettings(url,
                source.user().orElse(null), source.password().map(Secret::value).orElse(null))));
    }

    /** The change log's own connection, when {@code tidemark.changelog.jdbc-url} is set. */
    public static Optional<Map<String, String>> changeLogConnection(TidemarkSettings.ChangeLog changeLog) {
        return changeLog.jdbcUrl().map(url -> {
            Map<String, String> config = new LinkedHashMap<>();
            config.put("jdbcUrl", url);
            changeLog.user().ifPresent(user -> config.put("user", user));
            changeLog.password().ifPresent(password -> config.put("password", password.value()));
            return Map.copyOf(config);
        });
    }

    /** Builds a library value; its refusal names the settings, not the builder's methods. */
    public static <T> T build(String keys, Supplier<T> builder) {
        try {
            return builder.get();
        } catch (IllegalArgumentException | CaptureException e) {
            String message = e.getMessage() == null ? "" : e.getMessage()
                    .replace("(or let an existing publication decide with managePublication=false)",
                            "with tidemark.capture.tables=T1,T2 (serve --tables) or tidemark.capture.schemas, or let an"
                                    + " existing publication decide with tidemark.capture.manage-publication=false");
            throw new IllegalArgumentException("invalid setting " + keys + ": " + message, e);
        }
    }
}
