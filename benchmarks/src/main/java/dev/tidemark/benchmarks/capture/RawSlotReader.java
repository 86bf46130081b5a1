package dev.tidemark.benchmarks.capture;

import dev.tidemark.server.pg.SourceSettings;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;

/**
 * The baseline: reads a slot with PgJDBC's replication API and pgoutput, counts the insert, update
 * and delete messages and discards everything, confirming nothing (so the slot keeps its position for
 * the capture run that follows).
 */
final class RawSlotReader {

    private RawSlotReader() {}

    /** @return nanoseconds from connecting until the {@code changes}-th change arrived */
    static long read(SourceSettings source, String slot, String publication, int changes) throws SQLException {
        long start = System.nanoTime();
        try (Connection connection = source.connectReplication()) {
            PGReplicationStream stream = connection.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().logical()
                    .withSlotName(slot)
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", publication)
                    .start();
            int seen = 0;
            while (seen < changes) {
                ByteBuffer message = stream.read();
                byte type = message.get(0);
                if (type == 'I' || type == 'U' || type == 'D') {
                    seen++;
                }
            }
            long elapsed = System.nanoTime() - start;
            stream.close();
            return elapsed;
        }
    }
}
