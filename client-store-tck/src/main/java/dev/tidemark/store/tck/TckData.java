package dev.tidemark.store.tck;

import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import java.time.Instant;
import java.util.List;

/** Builders for the kit's batches and changes. */
final class TckData {

    static final Instant TIME = Instant.parse("2024-05-01T12:00:00Z");

    private TckData() {}

    /** LSN number {@code n} on the kit's scale: {@code n * 0x100}, so positions look like real ones. */
    static Lsn lsn(long n) {
        return Lsn.of(n * 0x100);
    }

    static Change update(String entityType, String entityId, String json) {
        return Change.update(entityType, entityId, json, TIME);
    }

    static Change delete(String entityType, String entityId) {
        return Change.delete(entityType, entityId, TIME);
    }

    static Change move(String entityType, String fromId, String toId, String json) {
        return Change.move(entityType, fromId, toId, json, TIME);
    }

    static Change truncate(String entityType) {
        return Change.truncate(entityType, TIME);
    }

    /** The batch from kit position {@code from} to {@code to}. */
    static ChangeBatch batch(long from, long to, Change... changes) {
        return new ChangeBatch("b" + to, lsn(from), lsn(to), List.of(changes));
    }

    static ChangeBatch batch(Lsn from, Lsn to, Change... changes) {
        return new ChangeBatch("b-" + to, from, to, List.of(changes));
    }

    static BatchHeader header(long from, long to) {
        return new BatchHeader("b" + to, lsn(from), lsn(to));
    }
}
