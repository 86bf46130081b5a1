package dev.tidemark.client.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Lsn;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchHeaderTest {

    private static BatchHeader header(long prev, long lsn) {
        return new BatchHeader("b", Lsn.of(prev), Lsn.of(lsn));
    }

    @Test
    void appliesABatchThatStartsAtTheCommittedLsn() {
        assertThat(header(10, 20).outcomeAt(Lsn.of(10))).isEqualTo(ApplyOutcome.APPLIED);
    }

    @Test
    void aBatchEndingAtOrBeforeTheCommittedLsnIsADuplicate() {
        assertThat(header(10, 20).outcomeAt(Lsn.of(20))).isEqualTo(ApplyOutcome.DUPLICATE);
        assertThat(header(10, 20).outcomeAt(Lsn.of(30))).isEqualTo(ApplyOutcome.DUPLICATE);
        assertThat(header(10, 10).outcomeAt(Lsn.of(10))).isEqualTo(ApplyOutcome.DUPLICATE);
    }

    @Test
    void aBatchNotStartingAtTheCommittedLsnIsAGap() {
        assertThat(header(15, 20).outcomeAt(Lsn.of(10))).isEqualTo(ApplyOutcome.GAP);
        assertThat(header(5, 20).outcomeAt(Lsn.of(10))).as("overlapping").isEqualTo(ApplyOutcome.GAP);
    }

    @Test
    void comparesLsnsUnsigned() {
        Lsn high = Lsn.parse("FFFFFFFF/0");
        assertThat(new BatchHeader("b", high, Lsn.MAX).outcomeAt(high)).isEqualTo(ApplyOutcome.APPLIED);
        assertThat(new BatchHeader("b", Lsn.ZERO, high).outcomeAt(Lsn.MAX)).isEqualTo(ApplyOutcome.DUPLICATE);
    }

    @Test
    void rejectsAnLsnBeforeItsPrevLsn() {
        assertThatThrownBy(() -> header(20, 10)).hasMessage("lsn 0/A is before prevLsn 0/14");
    }

    @Test
    void aListSourceYieldsEachChangeThenNull() {
        Change change = Change.delete("t", "1", Instant.EPOCH);
        ChangeSource source = ChangeSource.of(List.of(change, change));
        assertThat(source.next()).isSameAs(change);
        assertThat(source.next()).isSameAs(change);
        assertThat(source.next()).isNull();
        assertThat(source.next()).isNull();
    }

    @Test
    void resultsSayWhetherTheBatchWasApplied() {
        assertThat(ApplyResult.applied(Lsn.of(5)).applied()).isTrue();
        assertThat(ApplyResult.notApplied(ApplyOutcome.GAP, Lsn.of(5)).applied()).isFalse();
        assertThatThrownBy(() -> ApplyResult.notApplied(ApplyOutcome.APPLIED, Lsn.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
