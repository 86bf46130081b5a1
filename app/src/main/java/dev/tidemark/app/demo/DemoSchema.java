package dev.tidemark.app.demo;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The demo's source tables: customers, their orders (with a large note), and an audit log. */
public final class DemoSchema {

    /** The demo tables, all keyed by {@code id}. */
    public static final List<String> TABLES = List.of("customers", "orders", "audit_log");

    private DemoSchema() {}

    /** Creates the tables when they do not exist. */
    public static void create(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS customers (
                        id uuid PRIMARY KEY,
                        name text NOT NULL,
                        email text NOT NULL,
                        tier text NOT NULL,
                        credit numeric(12, 2) NOT NULL DEFAULT 0,
                        updated_at timestamptz NOT NULL DEFAULT now())""");
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS orders (
                        id bigserial PRIMARY KEY,
                        customer_id uuid NOT NULL,
                        status text NOT NULL,
                        amount numeric(12, 2) NOT NULL,
                        items jsonb NOT NULL,
                        note text,
                        created_at timestamptz NOT NULL DEFAULT now())""");
            // A large, incompressible note is stored out of line (TOAST): updates that leave it
            // unchanged do not resend it, and clients must keep their copy.
            statement.execute("ALTER TABLE orders ALTER COLUMN note SET STORAGE EXTERNAL");
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS audit_log (
                        id bigserial PRIMARY KEY,
                        event text NOT NULL,
                        at timestamptz NOT NULL DEFAULT now())""");
        }
    }
}
