package dev.tidemark.server.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Changes;
import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.spi.LogPosition;
import dev.tidemark.server.spi.LoggedChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("BatchAssembler")
class BatchAssemblerTest {

    private final BatchAssembler assembler = new BatchAssembler(4, 100_000);

    private static List<LoggedChange> tx(long lsn, int count) {
        List<LoggedChange> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(new LoggedChange(Lsn.of(lsn), i, lsn, Change.update("t", lsn + "-" + i, "{}", Instant.EPOCH)));
        }
        return rows;
    }

    private static List<LoggedChange> rows(List<List<LoggedChange>> txs) {
        List<LoggedChange> rows = new ArrayList<>();
        txs.forEach(rows::addAll);
        return rows;
    }

    @Test
    @DisplayName("packs whole transactions up to the bound; the last batch of a complete read ends at the read's bound")
    void packsWholeTransactions() {
        List<LoggedChange> rows = rows(List.of(tx(0x10, 2), tx(0x20, 2), tx(0x30, 1)));
        BatchAssembler.Assembled result = assembler.assemble(AssemblyState.at(Lsn.ZERO), rows, Lsn.of(0x99), true, 0);
        assertThat(result.messages()).extracting(Changes::prevLsn).containsExactly(Lsn.ZERO, Lsn.of(0x20));
        assertThat(result.messages()).extracting(Changes::lsn).containsExactly(Lsn.of(0x20), Lsn.of(0x99));
        assertThat(result.next().readPos()).isEqualTo(Lsn.of(0x99));
        assertThat(result.next().chainLsn()).isEqualTo(Lsn.of(0x99));
        assertThat(result.next().cursor()).isEqualTo(LogPosition.afterTransaction(Lsn.of(0x99)));
    }

    @Test
    @DisplayName("a read that hit its limit leaves the possibly unfinished last transaction for the next read")
    void leavesUnfinishedTransaction() {
        List<LoggedChange> rows = rows(List.of(tx(0x10, 2), tx(0x20, 3)));
        BatchAssembler.Assembled result = assembler.assemble(AssemblyState.at(Lsn.ZERO), rows, Lsn.of(0x99), false, 0);
        assertThat(result.messages()).hasSize(1);
        assertThat(result.messages().get(0).lsn()).isEqualTo(Lsn.of(0x10));
        assertThat(result.next().cursor()).isEqualTo(LogPosition.afterTransaction(Lsn.of(0x10)));
        assertThat(result.next().readPos()).isEqualTo(Lsn.of(0x10));
    }

    @Test
    @DisplayName("a transaction filling the page starts a multi-part batch continued read by read")
    void multiPartAcrossReads() {
        List<LoggedChange> all = tx(0x10, 11);
        BatchAssembler.Assembled first = assembler.assemble(AssemblyState.at(Lsn.of(0x5)), all.subList(0, 5), Lsn.of(0x99), false, 0);
        assertThat(first.messages()).singleElement().satisfies(part -> {
            assertThat(part.part()).isEqualTo(1);
            assertThat(part.last()).isFalse();
            assertThat(part.prevLsn()).isEqualTo(Lsn.of(0x5));
            assertThat(part.lsn()).isEqualTo(Lsn.of(0x10));
            assertThat(part.data()).hasSize(4);
        });
        assertThat(first.next().open()).isNotNull();
        assertThat(first.next().cursor()).isEqualTo(new LogPosition(Lsn.of(0x10), 3));
        assertThat(first.next().readPos()).isEqualTo(Lsn.of(0x5));

        BatchAssembler.Assembled second = assembler.assemble(first.next(), all.subList(4, 9), Lsn.of(0x10), false, 0);
        assertThat(second.messages()).singleElement().satisfies(part -> assertThat(part.part()).isEqualTo(2));
        BatchAssembler.Assembled third = assembler.assemble(second.next(), all.subList(8, 11), Lsn.of(0x10), true, 0);
        assertThat(third.messages()).singleElement().satisfies(part -> {
            assertThat(part.part()).isEqualTo(3);
            assertThat(part.last()).isTrue();
            assertThat(part.data()).hasSize(3);
        });
        assertThat(third.next().open()).isNull();
        assertThat(third.next().chainLsn()).isEqualTo(Lsn.of(0x10));
        assertThat(third.next().readPos()).isEqualTo(Lsn.of(0x10));
    }

    @Test
    @DisplayName("an empty read moves only the read position; batch ids carry the epoch after a rewind")
    void emptyReadAndEpochIds() {
        BatchAssembler.Assembled result = assembler.assemble(AssemblyState.at(Lsn.of(0x5)), List.of(), Lsn.of(0x40), true, 0);
        assertThat(result.messages()).isEmpty();
        assertThat(result.next().readPos()).isEqualTo(Lsn.of(0x40));
        assertThat(result.next().chainLsn()).isEqualTo(Lsn.of(0x5));
        assertThat(BatchIds.of(Lsn.of(0xAB), 0)).isEqualTo("AB");
        assertThat(BatchIds.of(Lsn.of(0xAB), 2)).isEqualTo("AB.2");
    }

    @Test
    @DisplayName("the byte bound splits batches and parts too")
    void byteBound() {
        BatchAssembler small = new BatchAssembler(100, 2 * (ChangeSize.OVERHEAD + 10));
        List<LoggedChange> rows = rows(List.of(tx(0x10, 1), tx(0x20, 1), tx(0x30, 5)));
        BatchAssembler.Assembled result = small.assemble(AssemblyState.at(Lsn.ZERO), rows, Lsn.of(0x30), true, 0);
        assertThat(result.messages()).allSatisfy(m -> assertThat(m.data().stream().mapToLong(ChangeSize::of).sum())
                .isLessThanOrEqualTo(2 * (ChangeSize.OVERHEAD + 10)));
        assertThat(result.messages().get(0).lsn()).isEqualTo(Lsn.of(0x20));
        assertThat(result.messages().subList(1, result.messages().size())).extracting(Changes::lsn).containsOnly(Lsn.of(0x30));
        assertThat(result.messages().get(result.messages().size() - 1).last()).isTrue();
    }
}
