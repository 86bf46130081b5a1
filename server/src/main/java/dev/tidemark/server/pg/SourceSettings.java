package dev.tidemark.server.pg;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * How to reach the source PostgreSQL: a JDBC URL ({@code jdbc:postgresql://host:port/database}) and
 * credentials. The user and password may also be given inside the URL; the fields here win.
 *
 * @param jdbcUrl the source database's JDBC URL
 * @param user the role to connect as, or {@code null} to take it from the URL
 * @param password the role's password, or {@code null}
 */
public record SourceSettings(String jdbcUrl, String user, String password) {

    public SourceSettings {
        requireNonNull(jdbcUrl, "jdbcUrl is null");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("source JDBC URL must start with jdbc:postgresql: (got '"
                    + redact(jdbcUrl) + "')");
        }
    }

    /** Opens an ordinary connection (autocommit on). */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, properties());
    }

    /**
     * Opens a connection whose results always arrive in PostgreSQL's text format: {@code getString} then
     * returns exactly what each type's output function writes, as {@code pgoutput} sends it. (The driver
     * otherwise switches a statement it has run five times to the binary format for some types, and
     * formats those values itself: {@code double precision}, timestamps, arrays would read differently.)
     */
    public Connection connectReadingText() throws SQLException {
        Properties properties = properties();
        properties.setProperty("binaryTransfer", "false");
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    /**
     * Opens a logical replication connection ({@code replication=database}, simple query mode), the
     * only kind that may run {@code START_REPLICATION}, {@code IDENTIFY_SYSTEM} and
     * {@code CREATE_REPLICATION_SLOT}.
     */
    public Connection connectReplication() throws SQLException {
        Properties properties = properties();
        properties.setProperty("replication", "database");
        properties.setProperty("preferQueryMode", "simple");
        properties.setProperty("assumeMinServerVersion", "10");
        properties.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    /** The settings as a change-log provider configuration ({@code jdbcUrl}, {@code user}, {@code password}). */
    public Map<String, String> asChangeLogConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("jdbcUrl", jdbcUrl);
        if (user != null) {
            config.put("user", user);
        }
        if (password != null) {
            config.put("password", password);
        }
        return config;
    }

    private Properties properties() {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", "tidemark");
        return properties;
    }

    /** The URL without its query string, which may hold a password. */
    public String redactedUrl() {
        return redact(jdbcUrl);
    }

    private static String redact(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?…";
    }

    @Override
    public String toString() {
        return "SourceSettings[" + redactedUrl() + ", user=" + user + "]";
    }
}
