package dev.tidemark.benchmarks.store;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.jooq.BatchBindStep;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/** A baseline: writes a batch's rows as plain inserts in one transaction, nothing else. */
interface RowWriter extends AutoCloseable {

    void write(ChangeBatch batch) throws SQLException;

    @Override
    void close() throws SQLException;

    /** How a transaction is opened and committed on a connection. */
    enum Transactions {
        /** SQLite as the store does it: auto-commit off at the SQLite level through BEGIN IMMEDIATE. */
        BEGIN_IMMEDIATE,
        /** JDBC: auto-commit off, {@link Connection#commit()}. */
        JDBC;

        void begin(Connection connection) throws SQLException {
            if (this == BEGIN_IMMEDIATE) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("BEGIN IMMEDIATE");
                }
            } else {
                connection.setAutoCommit(false);
            }
        }

        void commit(Connection connection) throws SQLException {
            if (this == BEGIN_IMMEDIATE) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("COMMIT");
                }
            } else {
                connection.commit();
            }
        }
    }

    /** Plain JDBC: one prepared INSERT, {@code addBatch} per row, {@code executeBatch}, commit. */
    static RowWriter jdbc(Connection connection, String insertSql, Transactions transactions) throws SQLException {
        PreparedStatement insert = connection.prepareStatement(insertSql);
        return new RowWriter() {
            @Override
            public void write(ChangeBatch batch) throws SQLException {
                transactions.begin(connection);
                for (Change change : batch.changes()) {
                    insert.setString(1, change.entityType());
                    insert.setString(2, change.entityId());
                    insert.setString(3, change.data());
                    insert.addBatch();
                }
                insert.executeBatch();
                transactions.commit(connection);
            }

            @Override
            public void close() throws SQLException {
                insert.close();
                connection.close();
            }
        };
    }

    /** The same rows through jOOQ's batch API (one statement, bound per row). */
    static RowWriter jooq(Connection connection, SQLDialect dialect, String table, boolean jsonb,
                          Transactions transactions) {
        DSLContext sql = DSL.using(connection, dialect);
        var entityType = DSL.field(DSL.name("entity_type"), String.class);
        var entityId = DSL.field(DSL.name("entity_id"), String.class);
        var data = DSL.field(DSL.name("data"), String.class);
        var insert = sql.insertInto(DSL.table(DSL.unquotedName(table.split("\\."))), entityType, entityId, data)
                .values(DSL.val((String) null), DSL.val((String) null),
                        jsonb ? DSL.field("cast(? as jsonb)", String.class, (String) null) : DSL.val((String) null));
        return new RowWriter() {
            @Override
            public void write(ChangeBatch batch) throws SQLException {
                transactions.begin(connection);
                BatchBindStep step = sql.batch(insert);
                for (Change change : batch.changes()) {
                    step = step.bind(change.entityType(), change.entityId(), change.data());
                }
                step.execute();
                transactions.commit(connection);
            }

            @Override
            public void close() throws SQLException {
                connection.close();
            }
        };
    }
}
