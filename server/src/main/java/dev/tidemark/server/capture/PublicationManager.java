package dev.tidemark.server.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the publication in line with the configuration: created when missing, and changed with
 * {@code ALTER PUBLICATION ... SET} when the configured tables or schemas differ, so adding or
 * removing a table is a configuration change, not a rebuild. Also checks that every configured table
 * exists; tables that cannot be captured are excluded by {@link SchemaWatch}, not refused here.
 */
final class PublicationManager {

    private static final Logger log = LoggerFactory.getLogger(PublicationManager.class);
    private static final String PUBLISH = "insert, update, delete, truncate";

    private final CaptureSettings settings;

    PublicationManager(CaptureSettings settings) {
        this.settings = settings;
    }

    /**
     * Creates or changes the publication as configured and checks its tables.
     *
     * @return the tables it publishes, as {@code schema.table}
     */
    List<String> apply(Connection connection) throws SQLException {
        if (settings.managePublication()) {
            checkConfiguredExist(connection);
        }
        PublicationRow publication = find(connection);
        if (publication == null) {
            if (!settings.managePublication()) {
                throw new CaptureException(CaptureError.PUBLICATION, "publication " + settings.publicationName()
                        + " does not exist: create it (CREATE PUBLICATION " + settings.publicationName()
                        + " FOR TABLE ...) or let capture manage it (managePublication)");
            }
            execute(connection, "CREATE PUBLICATION " + quote(settings.publicationName()) + " FOR " + objects()
                    + " WITH (publish = '" + PUBLISH + "')");
            log.info("created publication {} for {}", settings.publicationName(), objects());
        } else if (settings.managePublication()) {
            update(connection, publication);
        }
        List<String> published = publishedTables(connection);
        List<String> own = published.stream().filter(table -> table.startsWith(ChangeFactory.OWN_SCHEMA + ".")).toList();
        if (!own.isEmpty()) {
            throw new CaptureException(CaptureError.PUBLICATION, "publication " + settings.publicationName()
                    + " publishes the change log's own tables " + own + ": capture would read its own writes."
                    + " Take schema tidemark out of it (a FOR ALL TABLES publication cannot be used)");
        }
        if (published.isEmpty()) {
            log.warn("publication {} publishes no table yet: nothing will be captured", settings.publicationName());
        } else {
            log.info("publication {} publishes {}", settings.publicationName(), published);
        }
        return published;
    }

    private void update(Connection connection, PublicationRow publication) throws SQLException {
        if (publication.allTables()) {
            throw new CaptureException(CaptureError.PUBLICATION, "publication " + settings.publicationName()
                    + " is FOR ALL TABLES and cannot be managed (it would publish tidemark's own tables): use another"
                    + " publication name, or set managePublication=false");
        }
        Set<String> tables = explicitTables(connection);
        Set<String> schemas = schemas(connection);
        Set<String> wantedTables = new TreeSet<>(settings.tables());
        Set<String> wantedSchemas = new TreeSet<>(settings.schemas());
        if (!tables.equals(wantedTables) || !schemas.equals(wantedSchemas)) {
            execute(connection, "ALTER PUBLICATION " + quote(settings.publicationName()) + " SET " + objects());
            log.warn("changed publication {}: tables {} -> {}, schemas {} -> {}", settings.publicationName(), tables,
                    wantedTables, schemas, wantedSchemas);
        }
        if (!publication.publishesAll()) {
            execute(connection, "ALTER PUBLICATION " + quote(settings.publicationName())
                    + " SET (publish = '" + PUBLISH + "')");
            log.warn("publication {} now publishes {}", settings.publicationName(), PUBLISH);
        }
    }

    private String objects() {
        List<String> parts = new ArrayList<>();
        if (!settings.tables().isEmpty()) {
            List<String> tables = new ArrayList<>();
            for (String table : settings.tables()) {
                tables.add(qualified(table));
            }
            parts.add("TABLE " + String.join(", ", tables));
        }
        if (!settings.schemas().isEmpty()) {
            List<String> schemas = new ArrayList<>();
            for (String schema : settings.schemas()) {
                schemas.add(quote(schema));
            }
            parts.add("TABLES IN SCHEMA " + String.join(", ", schemas));
        }
        return String.join(", ", parts);
    }

    private void checkConfiguredExist(Connection connection) throws SQLException {
        List<String> missing = new ArrayList<>();
        for (String table : settings.tables()) {
            try (PreparedStatement select = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                select.setString(1, qualified(table));
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    if (!row.getBoolean(1)) {
                        missing.add("table " + table);
                    }
                }
            }
        }
        for (String schema : settings.schemas()) {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT count(*) FROM pg_namespace WHERE nspname = ?")) {
                select.setString(1, schema);
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    if (row.getInt(1) == 0) {
                        missing.add("schema " + schema);
                    }
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new CaptureException(CaptureError.TABLE, "configured for capture but missing in the source: "
                    + String.join(", ", missing) + "; create them or remove them from the configuration");
        }
    }

    private PublicationRow find(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT puballtables, pubinsert AND pubupdate"
                + " AND pubdelete AND pubtruncate FROM pg_publication WHERE pubname = ?")) {
            select.setString(1, settings.publicationName());
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? new PublicationRow(row.getBoolean(1), row.getBoolean(2)) : null;
            }
        }
    }

    private record PublicationRow(boolean allTables, boolean publishesAll) {}

    private Set<String> explicitTables(Connection connection) throws SQLException {
        return strings(connection, "SELECT n.nspname || '.' || c.relname FROM pg_publication_rel r"
                + " JOIN pg_publication p ON p.oid = r.prpubid JOIN pg_class c ON c.oid = r.prrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.pubname = ?");
    }

    private Set<String> schemas(Connection connection) throws SQLException {
        return strings(connection, "SELECT n.nspname FROM pg_publication_namespace pn"
                + " JOIN pg_publication p ON p.oid = pn.pnpubid JOIN pg_namespace n ON n.oid = pn.pnnspid"
                + " WHERE p.pubname = ?");
    }

    private List<String> publishedTables(Connection connection) throws SQLException {
        return new ArrayList<>(strings(connection, "SELECT schemaname || '.' || tablename FROM pg_publication_tables"
                + " WHERE pubname = ?"));
    }

    private Set<String> strings(Connection connection, String sql) throws SQLException {
        Set<String> values = new TreeSet<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, settings.publicationName());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
        }
        return values;
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String qualified(String table) {
        int dot = table.indexOf('.');
        return quote(table.substring(0, dot)) + "." + quote(table.substring(dot + 1));
    }
}
