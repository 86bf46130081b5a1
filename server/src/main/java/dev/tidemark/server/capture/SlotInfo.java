package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A row of {@code pg_replication_slots}.
 *
 * @param name the slot
 * @param plugin its output plugin ({@code null} for a physical slot)
 * @param slotType {@code logical} or {@code physical}
 * @param database the database of a logical slot
 * @param active whether a connection streams from it now
 * @param activePid the process streaming from it, or 0
 * @param confirmedFlush the position its consumer confirmed, or {@code null}
 * @param walStatus {@code reserved}, {@code extended}, {@code unreserved} or {@code lost} (invalidated)
 */
record SlotInfo(String name, String plugin, String slotType, String database, boolean active, int activePid,
                Lsn confirmedFlush, String walStatus) {

    SlotInfo {
        requireNonNull(name, "name is null");
        requireNonNull(slotType, "slotType is null");
    }

    /** Whether PostgreSQL invalidated the slot: the WAL it needs is gone. */
    boolean lost() {
        return "lost".equals(walStatus);
    }

    static Optional<SlotInfo> find(Connection connection, String slotName) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT slot_name, plugin, slot_type, database,"
                + " active, active_pid, confirmed_flush_lsn::text, wal_status FROM pg_replication_slots"
                + " WHERE slot_name = ?")) {
            select.setString(1, slotName);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                String confirmed = row.getString(7);
                return Optional.of(new SlotInfo(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                        row.getBoolean(5), row.getInt(6), confirmed == null ? null : Lsn.parse(confirmed),
                        row.getString(8)));
            }
        }
    }
}
