package dev.tidemark.server.changelog.postgres;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.ClientProgress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes {@code tidemark.client_progress}. */
final class ClientProgressTable {

    private ClientProgressTable() {}

    static void save(Connection connection, List<ClientProgress> progress) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO tidemark.client_progress"
                + " (client_id, acked_lsn, last_ack_at, last_error, connected, updated_at)"
                + " VALUES (?, ?::pg_lsn, ?, ?, ?, ?) ON CONFLICT (client_id) DO UPDATE SET"
                + " acked_lsn = excluded.acked_lsn, last_ack_at = excluded.last_ack_at,"
                + " last_error = excluded.last_error, connected = excluded.connected,"
                + " updated_at = excluded.updated_at")) {
            for (ClientProgress row : progress) {
                upsert.setString(1, row.clientId());
                upsert.setString(2, row.ackedLsn().toString());
                if (row.lastAckAt() == null) {
                    upsert.setNull(3, Types.TIMESTAMP_WITH_TIMEZONE);
                } else {
                    upsert.setObject(3, utc(row.lastAckAt()));
                }
                upsert.setString(4, row.lastError());
                upsert.setBoolean(5, row.connected());
                upsert.setObject(6, utc(row.updatedAt()));
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }

    static List<ClientProgress> load(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT client_id, acked_lsn::text, last_ack_at,"
                + " last_error, connected, updated_at FROM tidemark.client_progress ORDER BY client_id");
                ResultSet rows = select.executeQuery()) {
            List<ClientProgress> progress = new ArrayList<>();
            while (rows.next()) {
                progress.add(new ClientProgress(rows.getString(1), Lsn.parse(rows.getString(2)),
                        instant(rows.getObject(3, OffsetDateTime.class)), rows.getString(4), rows.getBoolean(5),
                        instant(rows.getObject(6, OffsetDateTime.class))));
            }
            return progress;
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
