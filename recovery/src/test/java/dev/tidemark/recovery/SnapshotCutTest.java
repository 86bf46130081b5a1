package dev.tidemark.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.protocol.Lsn;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotCutTest {

    @Test
    void parsesPostgresSnapshotsAndDecidesVisibility() {
        TransactionSnapshot snapshot = TransactionSnapshot.parse("100:110:102,105");
        assertThat(snapshot).hasToString("100:110:102,105");
        assertThat(snapshot.sees(99)).isTrue();
        assertThat(snapshot.sees(101)).isTrue();
        assertThat(snapshot.sees(102)).as("running when taken").isFalse();
        assertThat(snapshot.sees(110)).as("started after").isFalse();
        assertThat(TransactionSnapshot.parse("5:5:").sees(4)).isTrue();
        assertThatThrownBy(() -> TransactionSnapshot.parse("5:x:")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void widensThirtyTwoBitIdsAcrossWraparound() {
        TransactionSnapshot snapshot = new TransactionSnapshot(3L << 32 | 5, 3L << 32 | 10, new long[0]);
        assertThat(snapshot.widen(7)).isEqualTo(3L << 32 | 7);
        assertThat(snapshot.widen(-3)).as("just before the epoch turned").isEqualTo((2L << 32) | 0xFFFF_FFFDL);
    }

    @Test
    void positionIsBelowEveryTransactionThatWasRunningWhenTheSnapshotWasTaken() {
        SnapshotCut cut = new SnapshotCut(Lsn.parse("0/500"), TransactionSnapshot.parse("100:110:102"));
        assertThat(cut.position(List.of())).isEqualTo(Lsn.parse("0/500"));
        assertThat(cut.position(List.of(Lsn.parse("0/600")))).isEqualTo(Lsn.parse("0/500"));
        // A transaction that wrote its commit record before the capture position but was not yet
        // visible to the snapshot must be in the tail: the position moves below it.
        assertThat(cut.position(List.of(Lsn.parse("0/480"), Lsn.parse("0/490")))).isEqualTo(Lsn.parse("0/47F"));
    }
}
