package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.feed.LoggedChunk;
import dev.tidemark.server.spi.LoggedChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The chunks of a large transaction kept for sending ahead")
class EarlyTransactionTest {

    private static final Lsn AFTER = Lsn.of(0x100);
    private static final Lsn LSN = Lsn.of(0x200);
    private static final long NO_LIMIT = Long.MAX_VALUE;

    private static LoggedChunk chunk(Lsn lsn, int firstSeq, int count) {
        List<LoggedChange> rows = new ArrayList<>();
        for (int seq = firstSeq; seq < firstSeq + count; seq++) {
            rows.add(new LoggedChange(lsn, seq, 7, Change.update("t", "id" + seq, "{\"n\":" + seq + "}", Instant.EPOCH)));
        }
        return new LoggedChunk(AFTER, lsn, rows);
    }

    private static EarlyTransaction first(LoggedChunk chunk, long maxBytes) {
        return EarlyTransaction.first(chunk, EarlyTransaction.estimatedBytes(chunk), maxBytes);
    }

    private static EarlyTransaction with(EarlyTransaction early, LoggedChunk chunk, long maxBytes) {
        return early.with(chunk, EarlyTransaction.estimatedBytes(chunk), maxBytes);
    }

    @Test
    @DisplayName("a transaction starts with its chunk at seq 0 and goes on with consecutive chunks only")
    void consecutiveChunksOnly() {
        assertThat(first(chunk(LSN, 5, 5), NO_LIMIT)).isNull();
        EarlyTransaction early = first(chunk(LSN, 0, 5), NO_LIMIT);
        assertThat(with(early, chunk(LSN, 6, 5), NO_LIMIT)).as("a gap").isNull();
        assertThat(with(early, chunk(Lsn.of(0x300), 5, 5), NO_LIMIT)).as("another transaction").isNull();
        EarlyTransaction next = with(early, chunk(LSN, 5, 5), NO_LIMIT);
        assertThat(next.chunkHolding(0).firstSeq()).isZero();
        assertThat(next.chunkHolding(3).firstSeq()).isZero();
        assertThat(next.chunkHolding(5).firstSeq()).isEqualTo(5);
        assertThat(next.chunkHolding(9).firstSeq()).isEqualTo(5);
        assertThat(next.chunkHolding(10)).as("not written yet").isNull();
    }

    @Test
    @DisplayName("the newest chunks are kept, within the byte budget (and a bound on their count)")
    void newestWithinBounds() {
        EarlyTransaction early = first(chunk(LSN, 0, 10), NO_LIMIT);
        for (int i = 1; i < EarlyTransaction.MAX_CHUNKS + 2; i++) {
            early = with(early, chunk(LSN, i * 10, 10), NO_LIMIT);
        }
        assertThat(early.chunks()).hasSize(EarlyTransaction.MAX_CHUNKS);
        assertThat(early.chunks().get(0).firstSeq()).isEqualTo(20);

        // Chunks of two-digit seqs are of one size, the first (one-digit) smaller.
        long one = EarlyTransaction.estimatedBytes(chunk(LSN, 10, 10));
        EarlyTransaction budget = first(chunk(LSN, 0, 10), 2 * one);
        budget = with(with(budget, chunk(LSN, 10, 10), 2 * one), chunk(LSN, 20, 10), 2 * one);
        assertThat(budget.chunks()).extracting(LoggedChunk::firstSeq).containsExactly(10, 20);
        assertThat(budget.bytes()).isLessThanOrEqualTo(2 * one);
        assertThat(with(budget, chunk(LSN, 30, 10), one - 1)).as("a chunk over the budget").isNull();
        assertThat(first(chunk(LSN, 0, 10), 0)).as("no budget: nothing ahead").isNull();
    }
}
