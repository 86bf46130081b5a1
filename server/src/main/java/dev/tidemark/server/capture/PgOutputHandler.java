package dev.tidemark.server.capture;

import dev.tidemark.protocol.Lsn;
import java.time.Instant;

/** Receives the decoded pgoutput messages of a replication stream, in stream order. */
interface PgOutputHandler {

    /** A transaction starts; {@code commitLsn} is the LSN its commit has (pgoutput's "final LSN"). */
    void begin(Lsn commitLsn, Instant commitTime, long xid);

    /** The transaction ends; {@code endLsn} is the end of its commit record. */
    void commit(Lsn commitLsn, Lsn endLsn, Instant commitTime);

    /** A table's description, before its first change and after a schema change. */
    void relation(Relation relation);

    void insert(int relationOid, TupleData newTuple);

    /**
     * @param oldKind {@code 'K'} when {@code oldTuple} holds the old key (the key changed), {@code 'O'}
     *     when it holds the whole old row (replica identity full), {@code 0} when absent
     */
    void update(int relationOid, char oldKind, TupleData oldTuple, TupleData newTuple);

    /** @param oldKind {@code 'K'} (old key) or {@code 'O'} (whole old row) */
    void delete(int relationOid, char oldKind, TupleData oldTuple);

    void truncate(int[] relationOids, boolean cascade, boolean restartIdentity);

    /** A logical decoding message ({@code pg_logical_emit_message}). */
    void message(boolean transactional, Lsn lsn, String prefix, byte[] content);
}
