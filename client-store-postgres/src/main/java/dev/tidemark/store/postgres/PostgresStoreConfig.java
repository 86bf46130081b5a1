package dev.tidemark.store.postgres;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.StoreSetting;
import dev.tidemark.client.spi.StoreSettings;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The settings of a PostgreSQL store.
 *
 * @param jdbcUrl the database, such as {@code jdbc:postgresql://localhost:5432/app}
 * @param user the role, unless the URL names it
 * @param password the role's password, unless the URL holds it
 * @param schema where the store's tables live: created when absent; {@code tidemark_client} unless set
 * @param poolSize how many connections the store may hold (one writes, the others read); 4 unless set
 * @param durability how hard commits press to disk; {@link Durability#FULL} unless set
 */
record PostgresStoreConfig(String jdbcUrl, Optional<String> user, Optional<String> password, String schema,
                           int poolSize, Durability durability) {

    static final String JDBC_URL = "jdbcUrl";
    static final String USER = "user";
    static final String PASSWORD = "password";
    static final String SCHEMA = "schema";
    static final String POOL_SIZE = "poolSize";
    static final String DURABILITY = "durability";
    static final String DEFAULT_SCHEMA = "tidemark_client";

    /** Lower-case unquoted identifiers only, so the schema name means the same quoted or not. */
    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** The settings the store declares; {@link PostgresStoreProvider#settings()}. */
    static final List<StoreSetting> SETTINGS = List.of(
            StoreSetting.required(JDBC_URL, StoreSetting.Type.STRING, "the database, such as jdbc:postgresql://localhost:5432/app"),
            StoreSetting.optional(USER, StoreSetting.Type.STRING, null, "the role, unless the URL names it"),
            StoreSetting.optional(PASSWORD, StoreSetting.Type.STRING, null, "the role's password, unless the URL holds it")
                    .asSecret(),
            StoreSetting.optional(SCHEMA, StoreSetting.Type.STRING, DEFAULT_SCHEMA,
                    "where the store's tables live (lower case, letters, digits, _); created when absent"),
            StoreSetting.optional(POOL_SIZE, StoreSetting.Type.INTEGER, "4",
                    "how many connections the store may hold, 2 to 64 (one writes, the others read)"),
            StoreSetting.optional(DURABILITY, StoreSetting.Type.CHOICE, "full",
                    "full: a commit waits for the local WAL flush; normal: synchronous_commit=off").withChoices("full", "normal"));

    PostgresStoreConfig {
        requireNonNull(jdbcUrl, "jdbcUrl is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
        requireNonNull(schema, "schema is null");
        requireNonNull(durability, "durability is null");
    }

    static PostgresStoreConfig from(Map<String, String> config) {
        return from(StoreSettings.declared(PostgresStoreProvider.NAME, config, SETTINGS));
    }

    static PostgresStoreConfig from(StoreSettings settings) {
        String jdbcUrl = settings.required(JDBC_URL);
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw settings.invalid("setting 'jdbcUrl' must start with jdbc:postgresql:, such as"
                    + " jdbc:postgresql://localhost:5432/app");
        }
        String schema = settings.get(SCHEMA, DEFAULT_SCHEMA);
        if (!SCHEMA_NAME.matcher(schema).matches()) {
            throw settings.invalid("setting 'schema' is '" + schema + "'; use a lower-case name of letters, digits"
                    + " and _ (at most 63), not starting with a digit");
        }
        return new PostgresStoreConfig(jdbcUrl, settings.optional(USER), settings.optional(PASSWORD), schema,
                settings.intValue(POOL_SIZE, 4, 2, 64),
                settings.choice(DURABILITY, Durability.class, Durability.FULL));
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "PostgresStoreConfig[" + jdbcUrl + ", schema=" + schema + ", poolSize=" + poolSize
                + ", durability=" + durability + "]";
    }
}
