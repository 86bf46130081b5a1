package dev.tidemark.server.spi;

import java.util.Map;

/**
 * Creates {@link ChangeLog}s. Found with {@link java.util.ServiceLoader} through
 * {@code META-INF/services/dev.tidemark.server.spi.ChangeLogProvider}; the server picks one by
 * {@link #name()} ({@code postgres} is the default).
 */
public interface ChangeLogProvider {

    /** The provider's name: lower case, {@code [a-z][a-z0-9_-]*}. */
    String name();

    /**
     * Opens (and creates or upgrades, when needed) a change log.
     *
     * @param config the provider's settings, e.g. {@code jdbcUrl}, {@code user}, {@code password}
     * @throws ChangeLogException when the log cannot be opened; the message says what to fix
     */
    ChangeLog open(Map<String, String> config);
}
