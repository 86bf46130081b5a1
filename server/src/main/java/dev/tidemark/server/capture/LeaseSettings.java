package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.server.pg.SourceSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where the capture lease is held: the PostgreSQL database of the change log, and the change log's
 * schema (the lease's identity within that database).
 *
 * @param database the change log's database
 * @param changeLogSchema the change log's schema, which with a fixed Tidemark namespace keys the lease
 * @param checkInterval how often the capturing server checks that it still holds the lease
 */
public record LeaseSettings(SourceSettings database, String changeLogSchema, Duration checkInterval) {

    /** The {@code postgres} change log's schema. */
    public static final String DEFAULT_SCHEMA = "tidemark";
    /** How often the lease is checked by default. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofMillis(500);

    public LeaseSettings {
        requireNonNull(database, "database is null");
        requireNonNull(changeLogSchema, "changeLogSchema is null");
        requireNonNull(checkInterval, "checkInterval is null");
        if (changeLogSchema.isBlank()) {
            throw new IllegalArgumentException("changeLogSchema is blank");
        }
        if (checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("checkInterval must be positive (got " + checkInterval + ")");
        }
    }

    /** The lease on the given database, for the default change-log schema, checked every 500 ms. */
    public static LeaseSettings on(SourceSettings database) {
        return new LeaseSettings(database, DEFAULT_SCHEMA, DEFAULT_CHECK_INTERVAL);
    }

    /**
     * The lease for a change log configured like the server's: in the change log's own PostgreSQL
     * database when its configuration names one ({@code jdbcUrl}, {@code user}, {@code password}), else
     * in the source database (where the change log lives by default, or, for a change log that is not
     * in PostgreSQL, the one database every server capturing this source shares).
     */
    public static LeaseSettings forChangeLog(Optional<Map<String, String>> changeLogConfig, SourceSettings source) {
        return changeLogConfig
                .filter(config -> config.getOrDefault("jdbcUrl", "").startsWith("jdbc:postgresql:"))
                .map(config -> on(new SourceSettings(config.get("jdbcUrl"), config.get("user"), config.get("password"))))
                .orElseGet(() -> on(source));
    }
}
