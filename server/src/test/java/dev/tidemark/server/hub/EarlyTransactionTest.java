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

    private static LoggedChunk chunk(Lsn lsn, int firstSeq, int count) {
        List<LoggedChange> rows = new ArrayList<>();
        for (int seq = firstSeq; seq < firstSeq + count; seq++) {
            rows.add(new LoggedChange(lsn, seq, 7, Change.update("t", "id" + seq, "{\"n\":" + seq + "}", Instant.EPOCH)));
        }
        return new LoggedChunk(AFTER, lsn, rows);
    }

    @Test
    @DisplayName("a transaction starts with its chunk at seq 0 and goes on with consecutive chunks only")
    void consecutiveChunksOnly() {
        assertThat(EarlyTransaction.first(chunk(LSN, 5, 5), Long.MAX_VALUE)).isNull();
        EarlyTransaction early = EarlyTransaction.first(chunk(LSN, 0, 5), Long.MAX_VALUE);
        assertThat(early.with(chunk(LSN, 6, 5), Long.MAX_VALUE)).as("a gap").isNull();
        assertThat(early.with(chunk(Lsn.of(0x300), 5, 5), Long.MAX_VALUE)).as("another transaction").isNull();
        EarlyTransaction next = early.with(chunk(LSN, 5, 5), Long.MAX_VALUE);
        assertThat(next.chunkHolding(0).firstSeq()).isZero();
        assertThat(next.chunkHolding(3).firstSeq()).isZero();
        assertThat(next.chunkHolding(5).firstSeq()).isEqualTo(5);
        assertThat(next.chunkHolding(9).firstSeq()).isEqualTo(5);
        assertThat(next.chunkHolding(10)).as("not written yet").isNull();
    }

    @Test
    @DisplayName("the newest chunks are kept, within the byte budget (and a bound on their count)")
    void newestWithinBounds() {
        EarlyTransaction early = EarlyTransaction.first(chunk(LSN, 0, 10), Long.MAX_VALUE);
        for (int i = 1; i < EarlyTransaction.MAX_CHUNKS + 2; i++) {
            early = early.with(chunk(LSN, i * 10, 10), Long.MAX_VALUE);
        }
        assertThat(early.chunks()).hasSize(EarlyTransaction.MAX_CHUNKS);
        assertThat(early.chunks().get(0).firstSeq()).isEqualTo(20);

        // Chunks of two-digit seqs are of one size, the first (one-digit) smaller.
        long one = EarlyTransaction.first(chunk(LSN, 0, 10), Long.MAX_VALUE).with(chunk(LSN, 10, 10), Long.MAX_VALUE)
                .bytes() - EarlyTransaction.first(chunk(LSN, 0, 10), Long.MAX_VALUE).bytes();
        EarlyTransaction budget = EarlyTransaction.first(chunk(LSN, 0, 10), 2 * one);
        budget = budget.with(chunk(LSN, 10, 10), 2 * one).with(chunk(LSN, 20, 10), 2 * one);
        assertThat(budget.chunks()).extracting(LoggedChunk::firstSeq).containsExactly(10, 20);
        assertThat(budget.bytes()).isLessThanOrEqualTo(2 * one);
        assertThat(budget.with(chunk(LSN, 30, 10), one - 1)).as("a chunk over the budget").isNull();
        assertThat(EarlyTransaction.first(chunk(LSN, 0, 10), 0)).as("no budget: nothing ahead").isNull();
    }
}
