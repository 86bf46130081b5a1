package dev.tidemark.server.hub;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.LoggedChange;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One complete captured range kept in memory for live clients, with its changes' checksums and encodings
 * ({@link PreEncodedChanges}, made once, by the first client that needs them) and the encodings of the batches
 * made from it alone. Such a batch is encoded once per (previous position, filter, epoch) and every client that
 * needs the same bytes gets a retained duplicate of one buffer; a batch of several ranges (a client behind the
 * head) is written from the changes' encodings. Thread-safe.
 */
final class LiveRange {

    private final Lsn from;
    private final Lsn to;
    private final List<LoggedChange> changes;
    private final long estimatedBytes;
    private final Map<EncodingKey, ByteBuf> encodings = new HashMap<>();
    private volatile PreEncodedChanges encoded;
    private boolean evicted;

    /** What makes two clients' batches from this range byte-identical. */
    record EncodingKey(Lsn prevLsn, String filterKey, int epoch) {}

    LiveRange(Lsn from, Lsn to, List<LoggedChange> changes) {
        this.from = from;
        this.to = to;
        this.changes = changes;
        long bytes = 64;
        for (LoggedChange change : changes) {
            // the change and, once a client read the range, its encoding (about its encoded size) and checksum
            bytes += 2 * ChangeSize.of(change.change()) + 48 + 12;
        }
        this.estimatedBytes = bytes;
    }

    Lsn from() {
        return from;
    }

    Lsn to() {
        return to;
    }

    List<LoggedChange> changes() {
        return changes;
    }

    long estimatedBytes() {
        return estimatedBytes;
    }

    /** The changes' checksums and encodings, made with {@code encoder} by the first caller. */
    PreEncodedChanges encoded(PreEncodedBatch encoder) {
        PreEncodedChanges made = encoded;
        if (made == null) {
            synchronized (this) {
                made = encoded;
                if (made == null) {
                    List<Change> list = new ArrayList<>(changes.size());
                    changes.forEach(row -> list.add(row.change()));
                    made = encoder.encodeChanges(list);
                    encoded = made;
                }
            }
        }
        return made;
    }

    /**
     * A retained duplicate of the encoding for {@code key}, encoding it with {@code encoder} when no client
     * needed it before; {@code null} when the range was evicted meanwhile (the caller encodes for itself).
     * The caller releases what it gets.
     *
     * @param shared told whether the bytes were already there
     */
    synchronized ByteBuf retainEncoding(EncodingKey key, Supplier<ByteBuf> encoder, java.util.function.IntConsumer shared) {
        if (evicted) {
            return null;
        }
        ByteBuf encoding = encodings.get(key);
        if (encoding == null) {
            encoding = encoder.get();
            encodings.put(key, encoding);
            shared.accept(0);
        } else {
            shared.accept(1);
        }
        return encoding.retainedDuplicate();
    }

    /** Drops the encodings; clients already holding one keep their own reference. */
    synchronized void evict() {
        evicted = true;
        encodings.values().forEach(ByteBuf::release);
        encodings.clear();
    }
}
