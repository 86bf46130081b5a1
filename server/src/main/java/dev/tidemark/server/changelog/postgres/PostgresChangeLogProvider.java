package dev.tidemark.server.changelog.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tidemark.server.spi.ChangeLog;
import dev.tidemark.server.spi.ChangeLogException;
import dev.tidemark.server.spi.ChangeLogProvider;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The {@code postgres} change log: schema {@code tidemark} in a PostgreSQL database, by default the
 * source database itself.
 *
 * <p>Settings: {@code jdbcUrl} (required), {@code user}, {@code password}, {@code poolSize}
 * (connections, default 8). {@link #open} creates or upgrades the schema; {@link #openForReading} only
 * checks that it is at this version's. Every connection runs with {@code synchronous_commit = on}: a
 * change-log commit must be durable before capture confirms the replication slot.
 */
public final class PostgresChangeLogProvider implements ChangeLogProvider {

    /** The provider's name. */
    public static final String NAME = "postgres";

    static final Set<String> KEYS = Set.of("jdbcUrl", "user", "password", "poolSize");
    private static final int DEFAULT_POOL_SIZE = 8;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ChangeLog open(Map<String, String> config) {
        return open(config, true);
    }

    /** Opens the log without creating or upgrading its schema: refused unless it is at this version's. */
    @Override
    public ChangeLog openForReading(Map<String, String> config) {
        return open(config, false);
    }

    private ChangeLog open(Map<String, String> config, boolean migrate) {
        Set<String> unknown = new TreeSet<>(config.keySet());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new ChangeLogException("unknown postgres change log settings " + unknown + "; known: "
                    + new TreeSet<>(KEYS));
        }
        String jdbcUrl = config.get("jdbcUrl");
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new ChangeLogException("the postgres change log needs jdbcUrl, a jdbc:postgresql: URL");
        }
        int poolSize = poolSize(config.getOrDefault("poolSize", Integer.toString(DEFAULT_POOL_SIZE)));
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(jdbcUrl);
        if (config.containsKey("user")) {
            hikari.setUsername(config.get("user"));
        }
        if (config.containsKey("password")) {
            hikari.setPassword(config.get("password"));
        }
        hikari.setMaximumPoolSize(poolSize);
        hikari.setMinimumIdle(1);
        hikari.setPoolName("tidemark-change-log");
        hikari.setConnectionInitSql("SET synchronous_commit = on");
        hikari.addDataSourceProperty("ApplicationName", "tidemark-change-log");
        hikari.setInitializationFailTimeout(-1);
        try {
            if (migrate) {
                Migrations.migrate(migrationSource(jdbcUrl, config));
            } else {
                Migrations.requireCurrent(migrationSource(jdbcUrl, config));
            }
        } catch (SQLException | RuntimeException e) {
            throw new ChangeLogException("cannot open the postgres change log at " + redact(jdbcUrl) + ": "
                    + e.getMessage() + (migrate ? "; check the URL, that the database runs, and that the role may"
                    + " create schema tidemark" : ""), e);
        }
        return new PostgresChangeLog(new HikariDataSource(hikari));
    }

    /** Unpooled connections for the migrations, which need one for the lock and Flyway's own. */
    private static PGSimpleDataSource migrationSource(String jdbcUrl, Map<String, String> config) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(jdbcUrl);
        if (config.containsKey("user")) {
            source.setUser(config.get("user"));
        }
        if (config.containsKey("password")) {
            source.setPassword(config.get("password"));
        }
        source.setApplicationName("tidemark-change-log");
        return source;
    }

    private static int poolSize(String value) {
        try {
            int size = Integer.parseInt(value);
            if (size >= 2 && size <= 1000) {
                return size;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ChangeLogException("poolSize must be a whole number from 2 to 1000, got '" + value + "'");
    }

    private static String redact(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?…";
    }
}
