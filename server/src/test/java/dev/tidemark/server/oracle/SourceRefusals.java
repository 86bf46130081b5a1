package dev.tidemark.server.oracle;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/** Values PostgreSQL itself refuses, so no change can carry them: NUL in text, NUL escapes in jsonb. */
final class SourceRefusals {

    private SourceRefusals() {}

    static void assertNulRefused(Connection connection) throws SQLException {
        connection.setAutoCommit(true);
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO docs (id, big) VALUES (gen_random_uuid(), ?)")) {
            insert.setString(1, "before\u0000after");
            assertThatThrownBy(insert::executeUpdate).isInstanceOf(SQLException.class);
        }
        try (Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.execute("INSERT INTO docs (id, big) VALUES (gen_random_uuid(), E'a\\000b')"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("0x00");
            assertThatThrownBy(() -> statement.execute("INSERT INTO docs (id, doc) VALUES (gen_random_uuid(),"
                    + " '{\"a\": \"\\u0000\"}')")).isInstanceOf(SQLException.class)
                    .hasMessageContaining("\\u0000");
            assertThatThrownBy(() -> statement.execute("SELECT chr(0)")).isInstanceOf(SQLException.class);
        }
    }
}
