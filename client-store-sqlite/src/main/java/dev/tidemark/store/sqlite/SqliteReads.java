package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.StorePosition;
import dev.tidemark.protocol.Lsn;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import java.util.function.BiConsumer;

/** The store's reads, each on a connection lent by {@link Readers}: committed data only, never blocking the writer. */
final class SqliteReads {

    private final Readers readers;

    SqliteReads(Readers readers) {
        this.readers = readers;
    }

    /** A column of the one-row state table; empty when NULL. */
    Optional<Long> stateValue(String column) {
        return readers.read("reading " + column, connection -> {
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT " + column + " FROM tidemark_state WHERE id = 1")) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long value = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(value);
            }
        });
    }

    /** The committed LSN and checksum, from one read. */
    StorePosition position() {
        return readers.read("reading the committed position", connection -> {
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery(
                            "SELECT committed_lsn, committed_checksum FROM tidemark_state WHERE id = 1")) {
                return rs.next() ? new StorePosition(Lsn.of(rs.getLong(1)), rs.getLong(2)) : StorePosition.START;
            }
        });
    }

    Optional<String> historyId() {
        return readers.read("reading the history id", connection -> {
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT history_id FROM tidemark_state WHERE id = 1")) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        });
    }

    Optional<String> get(String entityType, String entityId) {
        return readers.read("reading " + entityType + " '" + entityId + "'", connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT data FROM tidemark_entity WHERE entity_type = ? AND entity_id = ?")) {
                select.setString(1, entityType);
                select.setString(2, entityId);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    long count(String entityType) {
        return readers.read("counting " + entityType, connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT count(*) FROM tidemark_entity WHERE entity_type = ?")) {
                select.setString(1, entityType);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** One statement is one read transaction: a consistent view for the whole iteration. */
    void forEach(String entityType, BiConsumer<String, String> action) {
        readers.read("reading every " + entityType, connection -> {
            try (PreparedStatement select = connection.prepareStatement(
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

    Optional<String> metadata(String key) {
        return readers.read("reading metadata " + key, connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT value FROM tidemark_metadata WHERE key = ?")) {
                select.setString(1, key);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }
}
