package dev.tidemark.server.capture;

import static java.util.Objects.requireNonNull;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.LoggedChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds logged changes from decoded pgoutput messages, numbering them within their transaction, and
 * hands them on in {@link CapturePiece}s: one per small transaction, several for a large one (every
 * {@code chunkChanges} changes or {@code chunkBytes} bytes), so a transaction is never held whole.
 */
final class TransactionAssembler implements PgOutputHandler {

    /** Prefix of the heartbeat messages capture emits with {@code pg_logical_emit_message}. */
    static final String HEARTBEAT_PREFIX = "tidemark.heartbeat";

    private final ChangeFactory factory;
    private final Consumer<CapturePiece> sink;
    private final int chunkChanges;
    private final long chunkBytes;

    private Lsn commitLsn;
    private Instant commitTime;
    private long xid;
    private int seq;
    private boolean heartbeat;
    private List<LoggedChange> buffer;
    private long bufferBytes;

    TransactionAssembler(ChangeFactory factory, Consumer<CapturePiece> sink, int chunkChanges, long chunkBytes) {
        this.factory = requireNonNull(factory, "factory is null");
        this.sink = requireNonNull(sink, "sink is null");
        if (chunkChanges < 1 || chunkBytes < 1) {
            throw new IllegalArgumentException("chunk bounds must be positive");
        }
        this.chunkChanges = chunkChanges;
        this.chunkBytes = chunkBytes;
    }

    @Override
    public void begin(Lsn commitLsn, Instant commitTime, long xid) {
        if (this.commitLsn != null) {
            throw new CaptureException(CaptureError.DECODING, "transaction " + commitLsn + " began inside transaction "
                    + this.commitLsn);
        }
        this.commitLsn = commitLsn;
        this.commitTime = commitTime;
        this.xid = xid;
        this.seq = 0;
        this.heartbeat = false;
        this.buffer = new ArrayList<>();
        this.bufferBytes = 0;
    }

    @Override
    public void commit(Lsn commitLsn, Lsn endLsn, Instant commitTime) {
        inTransaction("commit");
        if (!commitLsn.equals(this.commitLsn)) {
            throw new CaptureException(CaptureError.DECODING, "commit at " + commitLsn + " ends the transaction that"
                    + " began with final LSN " + this.commitLsn);
        }
        sink.accept(new CapturePiece(buffer, commitLsn, commitTime, heartbeat, bufferBytes, seq));
        this.commitLsn = null;
        this.buffer = null;
    }

    @Override
    public void relation(Relation relation) {
        factory.relation(relation);
    }

    @Override
    public void insert(int relationOid, TupleData newTuple) {
        inTransaction("insert");
        RelationShape shape = factory.shape(relationOid);
        if (ChangeFactory.captured(shape)) {
            add(factory.upsert(shape, newTuple, commitTime));
        }
    }

    @Override
    public void update(int relationOid, char oldKind, TupleData oldTuple, TupleData newTuple) {
        inTransaction("update");
        RelationShape shape = factory.shape(relationOid);
        if (!ChangeFactory.captured(shape)) {
            return;
        }
        if (oldTuple != null && !factory.sameKey(shape, oldTuple, newTuple)) {
            // The key changed. The new tuple lacks the unchanged TOASTed columns, so the entity moves
            // to its new key and keeps them: one move, not delete + upsert. The old tuple is the key
            // ('K') or, under REPLICA IDENTITY FULL, the whole row ('O'); only its key is used.
            add(factory.move(shape, oldTuple, newTuple, commitTime));
            return;
        }
        add(factory.upsert(shape, newTuple, commitTime));
    }

    @Override
    public void delete(int relationOid, char oldKind, TupleData oldTuple) {
        inTransaction("delete");
        RelationShape shape = factory.shape(relationOid);
        if (ChangeFactory.captured(shape)) {
            add(factory.delete(shape, oldTuple, commitTime));
        }
    }

    @Override
    public void truncate(int[] relationOids, boolean cascade, boolean restartIdentity) {
        inTransaction("truncate");
        for (int oid : relationOids) {
            RelationShape shape = factory.shape(oid);
            if (ChangeFactory.captured(shape)) {
                add(Change.truncate(shape.entityType(), commitTime));
            }
        }
    }

    @Override
    public void message(boolean transactional, Lsn lsn, String prefix, byte[] content) {
        if (transactional && commitLsn != null && prefix.equals(HEARTBEAT_PREFIX)) {
            heartbeat = true;
        }
    }

    private void add(Change change) {
        buffer.add(new LoggedChange(commitLsn, seq++, xid, change));
        bufferBytes += 64 + (change.data() == null ? 0 : change.data().length())
                + (change.entityId() == null ? 0 : change.entityId().length())
                + (change.fromId() == null ? 0 : change.fromId().length());
        if (buffer.size() >= chunkChanges || bufferBytes >= chunkBytes) {
            sink.accept(new CapturePiece(buffer, null, commitTime, false, bufferBytes, 0));
            buffer = new ArrayList<>();
            bufferBytes = 0;
        }
    }

    private void inTransaction(String what) {
        if (commitLsn == null) {
            throw new CaptureException(CaptureError.DECODING, what + " message outside a transaction");
        }
    }
}
