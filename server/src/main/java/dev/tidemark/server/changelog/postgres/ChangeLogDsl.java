package dev.tidemark.server.changelog.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * Runs jOOQ statements on a connection the change log already holds (its transaction is the caller's), and
 * reports their failures as the {@link SQLException} the driver raised, as plain JDBC code would.
 */
final class ChangeLogDsl {

    /** Names unquoted (the schema's are lower case), so the SQL reads as written in the migration scripts. */
    private static final Settings SETTINGS = new Settings()
            .withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_UNQUOTED)
            .withExecuteLogging(false);

    static {
        // jOOQ greets with a banner and a tip of the day at INFO unless told not to; a deployment may still
        // set either property itself.
        if (System.getProperty("org.jooq.no-logo") == null) {
            System.setProperty("org.jooq.no-logo", "true");
        }
        if (System.getProperty("org.jooq.no-tips") == null) {
            System.setProperty("org.jooq.no-tips", "true");
        }
    }

    private ChangeLogDsl() {}

    /** The SQL work with jOOQ on an open connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(DSLContext sql) throws SQLException;
    }

    static DSLContext using(Connection connection) {
        return DSL.using(connection, SQLDialect.POSTGRES, SETTINGS);
    }

    /** {@code query}'s SQL with each named parameter as {@code :name} and every other value inline. */
    static String renderNamed(Query query) {
        return DSL.using(SQLDialect.POSTGRES, SETTINGS).renderNamedOrInlinedParams(query);
    }

    static <T> T run(Connection connection, Work<T> work) throws SQLException {
        try {
            return work.run(using(connection));
        } catch (DataAccessException e) {
            SQLException cause = e.getCause(SQLException.class);
            throw cause != null ? cause : new SQLException(e.getMessage(), e);
        }
    }
}
