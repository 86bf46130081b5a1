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

    /**
     * Opens a change log for a tool that only reads it ({@code tidemark status}): it must not create or upgrade
     * anything, because servers of another version may be running on it. The default opens it as {@link #open}
     * does; a provider whose {@code open} changes its storage overrides this.
     *
     * @param config the provider's settings, as for {@link #open}
     * @throws ChangeLogException when the log cannot be opened as it is (none yet, or of another version); the
     *     message says what to do
     */
    default ChangeLog openForReading(Map<String, String> config) {
        return open(config);
    }
}
