package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.TckData.batch;
import static dev.tidemark.store.tck.TckData.header;
import static dev.tidemark.store.tck.TckData.lsn;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tidemark.client.spi.ApplyOutcome;
import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.BatchHeader;
import dev.tidemark.client.spi.ChangeSource;
import dev.tidemark.client.spi.ChangeSourceException;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Checksum;
import dev.tidemark.protocol.Lsn;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group of tests: The pending marker a client records before it applies a batch.
 * Run through the public nested class of the same theme in {@link SyncStoreConformanceKit}.
 */
public abstract class PendingMarkerSpec extends StoreSpec {

    @Test
    @DisplayName("records the marker durably: it survives reopening")
    public void recordsDurably() {
        store().recordPending(lsn(7));
        assertThat(store().pendingLsn()).contains(lsn(7));
        reopen();
        assertThat(store().pendingLsn()).contains(lsn(7));
    }

    @Test
    @DisplayName("a later marker replaces an earlier one, and recording one changes nothing else")
    public void replacesAndTouchesNothingElse() {
        applied(batch(0, 1, update("tck.item", "1", "{}")));
        StoreSnapshot before = StoreSnapshot.of(store(), "tck.item");
        store().recordPending(lsn(2));
        store().recordPending(lsn(3));
        assertThat(store().pendingLsn()).contains(lsn(3));
        assertThat(StoreSnapshot.of(store(), "tck.item"))
                .isEqualTo(new StoreSnapshot(before.committedLsn(), before.committedChecksum(),
                        java.util.Optional.of(lsn(3)), before.historyId(), before.entities()));
    }

    @Test
    @DisplayName("an applied batch clears the marker in the same step, an empty batch too")
    public void clearedByApply() {
        store().recordPending(lsn(1));
        applied(batch(0, 1, update("tck.item", "1", "{}")));
        assertThat(store().pendingLsn()).isEmpty();
        store().recordPending(lsn(2));
        applied(batch(1, 2));
        assertThat(store().pendingLsn()).isEmpty();
        reopen();
        assertThat(store().pendingLsn()).isEmpty();
    }

    @Test
    @DisplayName("a duplicate, a gap or a failed batch leaves the marker as it was")
    public void keptWhenNothingIsApplied() {
        applied(batch(0, 1, update("tck.item", "1", "{}")));
        store().recordPending(lsn(2));

        store().apply(batch(0, 1));
        assertThat(store().pendingLsn()).as("after a duplicate").contains(lsn(2));
        store().apply(batch(3, 4));
        assertThat(store().pendingLsn()).as("after a gap").contains(lsn(2));
        assertThatThrownBy(() -> store().apply(header(1, 2), ScriptedChangeSource.failing(
                List.of(update("tck.item", "2", "{}")), 1, new ChangeSourceException("lost"))))
                .isInstanceOf(ChangeSourceException.class);
        assertThat(store().pendingLsn()).as("after a failed batch").contains(lsn(2));
    }

    @Test
    @DisplayName("clearPending removes the marker durably")
    public void clearPending() {
        store().recordPending(Lsn.MAX);
        store().clearPending();
        assertThat(store().pendingLsn()).isEmpty();
        store().clearPending();
        reopen();
        assertThat(store().pendingLsn()).isEmpty();
    }

    // ---- keeping the marker (stores whose canKeepPending() is true) ----------------------------------

    private void assumeKeepsPending() {
        assumeTrue(store().canKeepPending(), "the store does not keep the pending marker on commit"
                + " (canKeepPending() is false): the client records it before every batch instead");
    }

    private static ApplyResult applyKeeping(SyncStore store, ChangeBatch batch) {
        return store.applyKeepingPending(BatchHeader.of(batch), ChangeSource.of(batch.changes()));
    }

    @Test
    @DisplayName("applyKeepingPending commits the batch and its position and leaves the marker, across reopening")
    public void keptByApplyKeepingPending() {
        assumeKeepsPending();
        store().recordPending(Lsn.MAX);
        ChangeBatch first = batch(0, 1, update("tck.item", "1", "{\"a\":1}"));
        ChangeBatch second = batch(1, 2, update("tck.item", "2", "{\"b\":2}"), update("tck.item", "1", "{\"c\":3}"));
        assertThat(applyKeeping(store(), first).applied()).isTrue();
        assertThat(store().pendingLsn()).as("after the first batch").contains(Lsn.MAX);
        assertThat(applyKeeping(store(), second).applied()).isTrue();
        assertThat(store().pendingLsn()).as("after the second batch").contains(Lsn.MAX);
        reopen();
        assertThat(store().pendingLsn()).contains(Lsn.MAX);
        assertThat(store().committedLsn()).isEqualTo(lsn(2));
        assertThat(store().committedChecksum()).isEqualTo(Checksum.of(first.changes()) + Checksum.of(second.changes()));
        JsonAssert.assertEntity(store().get("tck.item", "1"), "{\"a\":1,\"c\":3}");
        JsonAssert.assertEntity(store().get("tck.item", "2"), "{\"b\":2}");
    }

    @Test
    @DisplayName("applyKeepingPending leaves an absent marker absent, and a plain apply after it clears a kept one")
    public void keepingLeavesAbsentMarkerAbsent() {
        assumeKeepsPending();
        assertThat(applyKeeping(store(), batch(0, 1, update("tck.item", "1", "{}"))).applied()).isTrue();
        assertThat(store().pendingLsn()).isEmpty();
        store().recordPending(Lsn.MAX);
        applied(batch(1, 2, update("tck.item", "2", "{}")));
        assertThat(store().pendingLsn()).isEmpty();
    }

    @Test
    @DisplayName("applyKeepingPending of a duplicate, a gap or a failed batch changes nothing, the marker included")
    public void keepingWhenNothingIsApplied() {
        assumeKeepsPending();
        applied(batch(0, 1, update("tck.item", "1", "{}")));
        store().recordPending(Lsn.MAX);
        StoreSnapshot before = StoreSnapshot.of(store(), "tck.item");
        assertThat(applyKeeping(store(), batch(0, 1)).outcome()).isEqualTo(ApplyOutcome.DUPLICATE);
        assertThat(applyKeeping(store(), batch(3, 4)).outcome()).isEqualTo(ApplyOutcome.GAP);
        assertThatThrownBy(() -> store().applyKeepingPending(header(1, 2), ScriptedChangeSource.failing(
                List.of(update("tck.item", "2", "{}")), 1, new ChangeSourceException("lost"))))
                .isInstanceOf(ChangeSourceException.class);
        assertThat(StoreSnapshot.of(store(), "tck.item")).isEqualTo(before);
    }
}
