package dev.tidemark.server.hub;

import dev.tidemark.server.spi.LoggedChange;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The changes one client receives from consecutive live ranges, in order, each with where its range keeps its
 * checksum and encoding ({@link PreEncodedChanges}), so a batch of them is summed and copied, not checksummed
 * and encoded again for this client.
 */
final class LiveSpan {

    private final List<LoggedChange> rows;
    /** For row i: the encoded changes of its range and its index there. */
    private final PreEncodedChanges[] sources;
    private final int[] indexes;

    private LiveSpan(List<LoggedChange> rows, PreEncodedChanges[] sources, int[] indexes) {
        this.rows = rows;
        this.sources = sources;
        this.indexes = indexes;
    }

    /** The changes of {@code ranges} that {@code filter} passes, in order. */
    static LiveSpan of(List<LiveRange> ranges, EntityFilter filter, PreEncodedBatch encoder) {
        int total = 0;
        for (LiveRange range : ranges) {
            total += range.changes().size();
        }
        List<LoggedChange> rows = new ArrayList<>(total);
        PreEncodedChanges[] sources = new PreEncodedChanges[total];
        int[] indexes = new int[total];
        for (LiveRange range : ranges) {
            PreEncodedChanges encoded = range.encoded(encoder);
            List<LoggedChange> changes = range.changes();
            for (int i = 0; i < changes.size(); i++) {
                LoggedChange row = changes.get(i);
                if (filter.all() || filter.matches(row.change().entityType())) {
                    sources[rows.size()] = encoded;
                    indexes[rows.size()] = i;
                    rows.add(row);
                }
            }
        }
        return new LiveSpan(rows, sources, indexes);
    }

    List<LoggedChange> rows() {
        return rows;
    }

    /** The checksum of row {@code row}'s change. */
    long checksum(int row) {
        return sources[row].checksum(indexes[row]);
    }

    /** Bytes of the encoded changes of rows {@code from} to {@code to} (exclusive), each with a comma. */
    int encodedLength(int from, int to) {
        int length = 0;
        for (int start = from; start < to; ) {
            int end = endOfRun(start, to);
            length += sources[start].length(indexes[start], indexes[start] + end - start);
            start = end;
        }
        return length;
    }

    /** Writes the encoded changes of rows {@code from} to {@code to} (exclusive), each followed by a comma. */
    void writeEncoded(ByteBuf out, int from, int to) {
        for (int start = from; start < to; ) {
            int end = endOfRun(start, to);
            sources[start].writeTo(out, indexes[start], indexes[start] + end - start);
            start = end;
        }
    }

    /** The end of the run of rows from {@code start} that lie back to back in one range's encoding. */
    private int endOfRun(int start, int to) {
        int end = start + 1;
        while (end < to && sources[end] == sources[start] && indexes[end] == indexes[end - 1] + 1) {
            end++;
        }
        return end;
    }
}
