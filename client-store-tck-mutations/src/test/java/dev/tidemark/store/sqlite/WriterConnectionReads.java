package dev.tidemark.store.sqlite;

import dev.tidemark.protocol.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.function.BiConsumer;

/**
 * Reads on the writer's own connection, as a store with a single connection does: they see what the
 * writer's open transaction wrote. Under {@code lock} when one is given (the reads then wait for a
 * running write), without it otherwise (the reads then see a write in the middle).
 */
final class WriterConnectionReads {

    @FunctionalInterface
    private interface Query<T> {
        T run(Connection connection) throws SQLException;
    }

    private final Connection writer;
    private final Lock lock;

    WriterConnectionReads(Connection writer, Lock lock) {
        this.writer = writer;
        this.lock = lock;
    }

    private <T> T read(Query<T> query) {
        if (lock != null) {
            lock.lock();
        }
        try {
            return query.run(writer);
        } catch (SQLException e) {
            throw SqlFailures.of("reading", "the writer's connection", e);
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    Optional<Long> stateValue(String column) {
        return read(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + column + " FROM tidemark_state WHERE id = 1");
                    ResultSet rs = select.executeQuery()) {
                rs.next();
                long value = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(value);
            }
        });
    }

    Lsn committedLsn() {
        return Lsn.of(stateValue("committed_lsn").orElse(0L));
    }

    Optional<String> text(String sql, String... parameters) {
        return read(c -> {
            try (PreparedStatement select = c.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    select.setString(i + 1, parameters[i]);
                }
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    long count(String entityType) {
        return Long.parseLong(text("SELECT count(*) FROM tidemark_entity WHERE entity_type = ?", entityType).orElseThrow());
    }

    void forEach(String entityType, BiConsumer<String, String> action) {
        read(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT entity_id, data FROM tidemark_entity WHERE entity_type = ?")) {
                select.setString(1, entityType);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        action.accept(rs.getString(1), rs.getString(2));
                    }
                }
            }
            return null;
        });
    }
}
