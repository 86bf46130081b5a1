package dev.tidemark.server.capture;

import dev.tidemark.protocol.Lsn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes pgoutput protocol version 1 messages (text-format values) and hands them to a
 * {@link PgOutputHandler}. Origin and type messages are read and skipped; anything it does not know
 * raises a {@link CaptureException}, because skipping an unknown message could skip a change.
 */
final class PgOutputDecoder {

    /** Microseconds from the Unix epoch to PostgreSQL's epoch, 2000-01-01. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    void decode(ByteBuffer buffer, PgOutputHandler handler) {
        char type = (char) buffer.get();
        switch (type) {
            case 'B' -> handler.begin(lsn(buffer), time(buffer), Integer.toUnsignedLong(buffer.getInt()));
            case 'C' -> {
                buffer.get(); // flags, unused
                Lsn commitLsn = lsn(buffer);
                Lsn endLsn = lsn(buffer);
                handler.commit(commitLsn, endLsn, time(buffer));
            }
            case 'R' -> handler.relation(relation(buffer));
            case 'I' -> {
                int oid = buffer.getInt();
                expect(buffer, 'N', "insert");
                handler.insert(oid, tuple(buffer));
            }
            case 'U' -> {
                int oid = buffer.getInt();
                char kind = (char) buffer.get();
                TupleData old = null;
                char oldKind = 0;
                if (kind == 'K' || kind == 'O') {
                    oldKind = kind;
                    old = tuple(buffer);
                    kind = (char) buffer.get();
                }
                if (kind != 'N') {
                    throw new CaptureException(CaptureError.DECODING, "update of relation " + oid
                            + " has no new tuple (got '" + kind + "')");
                }
                handler.update(oid, oldKind, old, tuple(buffer));
            }
            case 'D' -> {
                int oid = buffer.getInt();
                char kind = (char) buffer.get();
                if (kind != 'K' && kind != 'O') {
                    throw new CaptureException(CaptureError.DECODING, "delete of relation " + oid
                            + " carries no old key (got '" + kind + "'): give the table a primary key");
                }
                handler.delete(oid, kind, tuple(buffer));
            }
            case 'T' -> {
                int count = buffer.getInt();
                int options = buffer.get();
                int[] oids = new int[count];
                for (int i = 0; i < count; i++) {
                    oids[i] = buffer.getInt();
                }
                handler.truncate(oids, (options & 1) != 0, (options & 2) != 0);
            }
            case 'M' -> {
                boolean transactional = (buffer.get() & 1) != 0;
                Lsn lsn = lsn(buffer);
                String prefix = string(buffer);
                byte[] content = new byte[buffer.getInt()];
                buffer.get(content);
                handler.message(transactional, lsn, prefix, content);
            }
            case 'O' -> {
                lsn(buffer);
                string(buffer);
            }
            case 'Y' -> {
                buffer.getInt();
                string(buffer);
                string(buffer);
            }
            default -> throw new CaptureException(CaptureError.DECODING, "unknown pgoutput message type '"
                    + type + "' (0x" + Integer.toHexString(type) + "); is the slot using protocol version 1?");
        }
    }

    private static Relation relation(ByteBuffer buffer) {
        int oid = buffer.getInt();
        String namespace = string(buffer);
        String name = string(buffer);
        char replicaIdentity = (char) buffer.get();
        int count = Short.toUnsignedInt(buffer.getShort());
        List<Relation.Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean key = (buffer.get() & 1) != 0;
            String column = string(buffer);
            int typeOid = buffer.getInt();
            int modifier = buffer.getInt();
            columns.add(new Relation.Column(column, typeOid, modifier, key));
        }
        return new Relation(oid, namespace.isEmpty() ? "pg_catalog" : namespace, name, replicaIdentity, columns);
    }

    private static TupleData tuple(ByteBuffer buffer) {
        int count = Short.toUnsignedInt(buffer.getShort());
        byte[] kinds = new byte[count];
        String[] values = new String[count];
        for (int i = 0; i < count; i++) {
            byte kind = buffer.get();
            kinds[i] = kind;
            switch (kind) {
                case TupleData.NULL, TupleData.UNCHANGED -> { }
                case TupleData.TEXT -> {
                    int length = buffer.getInt();
                    values[i] = utf8(buffer, length);
                }
                default -> throw new CaptureException(CaptureError.DECODING, "unexpected column kind '"
                        + (char) kind + "' in tuple data; Tidemark reads the text format (binary=false)");
            }
        }
        return new TupleData(kinds, values);
    }

    private static String utf8(ByteBuffer buffer, int length) {
        String value;
        if (buffer.hasArray()) {
            value = new String(buffer.array(), buffer.arrayOffset() + buffer.position(), length, StandardCharsets.UTF_8);
        } else {
            byte[] bytes = new byte[length];
            buffer.duplicate().get(bytes);
            value = new String(bytes, StandardCharsets.UTF_8);
        }
        buffer.position(buffer.position() + length);
        return value;
    }

    private static String string(ByteBuffer buffer) {
        int start = buffer.position();
        int end = start;
        while (buffer.get(end) != 0) {
            end++;
        }
        String value = utf8(buffer, end - start);
        buffer.get(); // the terminating zero
        return value;
    }

    private static void expect(ByteBuffer buffer, char expected, String message) {
        char kind = (char) buffer.get();
        if (kind != expected) {
            throw new CaptureException(CaptureError.DECODING, message + " message has '" + kind + "' where '"
                    + expected + "' was expected");
        }
    }

    private static Lsn lsn(ByteBuffer buffer) {
        return Lsn.of(buffer.getLong());
    }

    private static Instant time(ByteBuffer buffer) {
        long micros = buffer.getLong() + PG_EPOCH_MICROS;
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
