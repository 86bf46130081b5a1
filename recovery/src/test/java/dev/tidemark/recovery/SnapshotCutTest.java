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
    void scanStartsBelowEveryLoggedTransactionThatWasRunningWhenTheSnapshotWasTaken() {
        SnapshotCut cut = new SnapshotCut(Lsn.parse("0/500"), TransactionSnapshot.parse("100:110:102"), Lsn.parse("0/700"));
        assertThat(cut.scanFrom(List.of())).isEqualTo(Lsn.parse("0/500"));
        assertThat(cut.scanFrom(List.of(Lsn.parse("0/600")))).isEqualTo(Lsn.parse("0/500"));
        // Logged already, but not yet visible to the snapshot: the scan must look at it.
        assertThat(cut.scanFrom(List.of(Lsn.parse("0/480"), Lsn.parse("0/490")))).isEqualTo(Lsn.parse("0/47F"));
    }

    @Test
    void positionIsTheLastTransactionTheSnapshotSees() {
        SnapshotCut cut = new SnapshotCut(Lsn.parse("0/500"), TransactionSnapshot.parse("100:110:102"), Lsn.parse("0/700"));
        Lsn from = Lsn.parse("0/500");
        assertThat(cut.position(from, List.of())).as("nothing logged since: up to the WAL position")
                .hasValue(Lsn.parse("0/6FF"));
        // Committed after the capture position was read but before the snapshot: seen, so the position
        // moves past it (the old cut stayed at 0/500 and the tail replayed it on top of the snapshot).
        assertThat(cut.position(from, List.of(new LoggedTransaction(Lsn.parse("0/520"), 101),
                new LoggedTransaction(Lsn.parse("0/540"), 103)))).hasValue(Lsn.parse("0/6FF"));
        // Running (102) or started after the snapshot (110): not seen, and after the position.
        assertThat(cut.position(from, List.of(new LoggedTransaction(Lsn.parse("0/520"), 101),
                new LoggedTransaction(Lsn.parse("0/540"), 102), new LoggedTransaction(Lsn.parse("0/560"), 110))))
                .as("just before the first transaction it does not see").hasValue(Lsn.parse("0/53F"));
    }

    @Test
    void noPositionWhenTheSeenTransactionsAreNotAPrefixInCommitOrder() {
        SnapshotCut cut = new SnapshotCut(Lsn.parse("0/500"), TransactionSnapshot.parse("100:110:102"), Lsn.parse("0/700"));
        // 102 wrote its commit record first, but 103 became visible first: no position is exact.
        assertThat(cut.position(Lsn.parse("0/500"), List.of(new LoggedTransaction(Lsn.parse("0/520"), 102),
                new LoggedTransaction(Lsn.parse("0/540"), 103)))).isEmpty();
        assertThat(cut.position(Lsn.parse("0/47F"), List.of(new LoggedTransaction(Lsn.parse("0/480"), 102))))
                .as("a logged running transaction and nothing seen after it").hasValue(Lsn.parse("0/47F"));
        SnapshotCut late = new SnapshotCut(Lsn.parse("0/500"), TransactionSnapshot.parse("100:110:"), Lsn.parse("0/500"));
        assertThat(late.position(Lsn.parse("0/500"), List.of())).as("never below where the scan started")
                .hasValue(Lsn.parse("0/500"));
        assertThatThrownBy(() -> cut.position(Lsn.parse("0/500"), List.of(new LoggedTransaction(Lsn.parse("0/500"), 1))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
