package dev.tidemark.examples.memorystore;

import dev.tidemark.protocol.ChangeType;
import dev.tidemark.protocol.Lsn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Binary form of journal entries: a kind byte, then the fields; text as length-prefixed UTF-8. */
final class EntryCodec {

    private static final byte BATCH = 1;
    private static final byte PENDING = 2;
    private static final byte PENDING_CLEARED = 3;
    private static final byte HISTORY_RESET = 4;
    private static final byte METADATA_PUT = 5;

    private EntryCodec() {}

    static byte[] encode(Entry entry) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (entry instanceof Entry.Batch batch) {
                out.writeByte(BATCH);
                out.writeLong(batch.lsn().value());
                out.writeLong(batch.checksum());
                out.writeInt(batch.ops().size());
                for (Entry.Op op : batch.ops()) {
                    out.writeByte(op.type().ordinal());
                    writeText(out, op.entityType());
                    writeText(out, op.entityId());
                    writeText(out, op.data());
                    if (op.type() == ChangeType.MOVE) {
                        // Only moves carry it, so journals written before moves existed read the same.
                        writeText(out, op.fromId());
                    }
                }
            } else if (entry instanceof Entry.Pending pending) {
                out.writeByte(PENDING);
                out.writeLong(pending.lsn().value());
            } else if (entry instanceof Entry.PendingCleared) {
                out.writeByte(PENDING_CLEARED);
            } else if (entry instanceof Entry.HistoryReset reset) {
                out.writeByte(HISTORY_RESET);
                writeText(out, reset.historyId());
            } else if (entry instanceof Entry.MetadataPut put) {
                out.writeByte(METADATA_PUT);
                writeText(out, put.key());
                writeText(out, put.value());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return bytes.toByteArray();
    }

    /** Decodes one entry; throws {@link IOException} for bytes no version of this store wrote. */
    static Entry decode(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        byte kind = in.readByte();
        switch (kind) {
            case BATCH:
                Lsn lsn = Lsn.of(in.readLong());
                long checksum = in.readLong();
                int size = in.readInt();
                List<Entry.Op> ops = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    byte ordinal = in.readByte();
                    if (ordinal < 0 || ordinal >= ChangeType.values().length) {
                        throw new IOException("unknown change type " + ordinal + " in the journal");
                    }
                    ChangeType type = ChangeType.values()[ordinal];
                    String entityType = readText(in);
                    String entityId = readText(in);
                    String data = readText(in);
                    String fromId = type == ChangeType.MOVE ? readText(in) : null;
                    ops.add(new Entry.Op(type, entityType, entityId, data, fromId));
                }
                return new Entry.Batch(lsn, checksum, ops);
            case PENDING:
                return new Entry.Pending(Lsn.of(in.readLong()));
            case PENDING_CLEARED:
                return new Entry.PendingCleared();
            case HISTORY_RESET:
                return new Entry.HistoryReset(readText(in));
            case METADATA_PUT:
                return new Entry.MetadataPut(readText(in), readText(in));
            default:
                throw new IOException("unknown journal entry kind " + kind);
        }
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        if (text == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readText(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
