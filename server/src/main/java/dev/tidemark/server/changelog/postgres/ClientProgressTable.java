package dev.tidemark.server.changelog.postgres;

import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.CLIENT_PROGRESS;
import static org.jooq.impl.DSL.excluded;

import dev.tidemark.server.spi.ClientProgress;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.jooq.BatchBindStep;

/** Reads and writes {@code tidemark.client_progress}; a client's acknowledged position never moves back. */
final class ClientProgressTable {

    private static final ChangeLogSchema.ClientProgress P = CLIENT_PROGRESS;

    private ClientProgressTable() {}

    static void save(Connection connection, List<ClientProgress> progress) throws SQLException {
        ChangeLogDsl.run(connection, sql -> {
            BatchBindStep upserts = sql.batch(sql
                    .insertInto(P.table)
                    .columns(P.CLIENT_ID, P.ACKED_LSN, P.LAST_ACK_AT, P.LAST_ERROR, P.CONNECTED, P.UPDATED_AT)
                    .values((String) null, null, null, null, null, null)
                    .onConflict(P.CLIENT_ID).doUpdate()
                    .set(P.ACKED_LSN, excluded(P.ACKED_LSN))
                    .set(P.LAST_ACK_AT, excluded(P.LAST_ACK_AT))
                    .set(P.LAST_ERROR, excluded(P.LAST_ERROR))
                    .set(P.CONNECTED, excluded(P.CONNECTED))
                    .set(P.UPDATED_AT, excluded(P.UPDATED_AT))
                    // Monotonic: a late write of an older position (the last ack of a session superseded on
                    // another node, flushed after the new session's) changes nothing. A new history empties the
                    // table, so positions only compare within one history.
                    .where(P.ACKED_LSN.le(excluded(P.ACKED_LSN))));
            for (ClientProgress row : progress) {
                upserts.bind(row.clientId(), row.ackedLsn(), row.lastAckAt(), row.lastError(), row.connected(),
                        row.updatedAt());
            }
            return upserts.execute();
        });
    }

    static List<ClientProgress> load(Connection connection) throws SQLException {
        return ChangeLogDsl.run(connection, sql -> sql
                .select(P.CLIENT_ID, P.ACKED_LSN, P.LAST_ACK_AT, P.LAST_ERROR, P.CONNECTED, P.UPDATED_AT)
                .from(P.table)
                .orderBy(P.CLIENT_ID)
                .fetch(row -> new ClientProgress(row.value1(), row.value2(), row.value3(), row.value4(),
                        row.value5(), row.value6())));
    }
}
