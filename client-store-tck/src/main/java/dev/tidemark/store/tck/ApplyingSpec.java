package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.JsonAssert.assertEntity;
import static dev.tidemark.store.tck.TckData.batch;
import static dev.tidemark.store.tck.TckData.delete;
import static dev.tidemark.store.tck.TckData.header;
import static dev.tidemark.store.tck.TckData.lsn;
import static dev.tidemark.store.tck.TckData.truncate;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.client.spi.ApplyOutcome;
import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Lsn;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group of tests: Applying a batch: the duplicate, gap and overlap decisions, the committed position and checksum.
 * Run through the public nested class of the same theme in {@link SyncStoreConformanceKit}.
 */
public abstract class ApplyingSpec extends StoreSpec {

    @Test
    @DisplayName("applies a batch that starts at the committed LSN and moves the committed LSN to its lsn")
    public void appliesAFollowingBatch() {
        applied(batch(0, 1, update("tck.item", "1", "{\"name\":\"one\"}")));
        applied(batch(1, 3, update("tck.item", "2", "{\"name\":\"two\"}"), update("tck.other", "1", "{\"x\":true}")));

        assertThat(store().committedLsn()).isEqualTo(lsn(3));
        assertEntity(store().get("tck.item", "1"), "{\"name\":\"one\"}");
        assertEntity(store().get("tck.item", "2"), "{\"name\":\"two\"}");
        assertEntity(store().get("tck.other", "1"), "{\"x\":true}");
    }

    @Test
    @DisplayName("moves the position with an empty batch")
    public void appliesAnEmptyBatch() {
        applied(batch(0, 5));
        assertThat(store().committedLsn()).isEqualTo(lsn(5));
        assertThat(store().committedChecksum()).isZero();
        applied(batch(5, 6, update("tck.item", "1", "{}")));
        assertThat(store().committedLsn()).isEqualTo(lsn(6));
    }

    @Test
    @DisplayName("reports a batch at or before the committed LSN as a duplicate, and neither reads nor writes it")
    public void reportsDuplicates() {
        applied(batch(0, 1, update("tck.item", "1", "{\"v\":1}")));
        applied(batch(1, 2, update("tck.item", "1", "{\"v\":2}")));
        StoreSnapshot before = StoreSnapshot.of(store(), "tck.item");

        for (long[] range : new long[][] {{1, 2}, {0, 1}, {0, 2}, {2, 2}}) {
            ScriptedChangeSource changes = ScriptedChangeSource.of(List.of(update("tck.item", "1", "{\"v\":99}")));
            ApplyResult result = store().apply(header(range[0], range[1]), changes);
            assertThat(result).as("batch %s..%s", range[0], range[1])
                    .isEqualTo(new ApplyResult(ApplyOutcome.DUPLICATE, lsn(2)));
            assertThat(changes.pulled()).as("changes read from a duplicate").isZero();
        }
        assertThat(StoreSnapshot.of(store(), "tck.item")).isEqualTo(before);
    }

    @Test
    @DisplayName("reports a batch starting after the committed LSN as a gap, and neither reads nor writes it")
    public void reportsGaps() {
        applied(batch(0, 1, update("tck.item", "1", "{\"v\":1}")));
        StoreSnapshot before = StoreSnapshot.of(store(), "tck.item");

        ScriptedChangeSource changes = ScriptedChangeSource.of(List.of(update("tck.item", "2", "{}")));
        ApplyResult result = store().apply(header(2, 3), changes);

        assertThat(result).isEqualTo(new ApplyResult(ApplyOutcome.GAP, lsn(1)));
        assertThat(changes.pulled()).as("changes read from a gap").isZero();
        assertThat(StoreSnapshot.of(store(), "tck.item")).isEqualTo(before);
    }

    @Test
    @DisplayName("reports a batch that overlaps the committed LSN as a gap, and writes nothing")
    public void reportsOverlapsAsGaps() {
        applied(batch(0, 2, update("tck.item", "1", "{\"v\":1}")));
        StoreSnapshot before = StoreSnapshot.of(store(), "tck.item");

        ApplyResult result = store().apply(batch(1, 3, update("tck.item", "1", "{\"v\":3}")));

        assertThat(result).isEqualTo(new ApplyResult(ApplyOutcome.GAP, lsn(2)));
        assertThat(StoreSnapshot.of(store(), "tck.item")).isEqualTo(before);
    }

    @Test
    @DisplayName("adds the checksum of every applied change to the committed checksum, and nothing for duplicates")
    public void keepsARunningChecksum() {
        List<Change> first = List.of(update("tck.item", "1", "{\"a\":1}"), update("tck.item", "2", "{\"a\":2}"));
        List<Change> second = List.of(delete("tck.item", "1"), truncate("tck.other"), update("tck.item", "2", "{\"b\":3}"));
        applied(new ChangeBatch("b1", lsn(0), lsn(1), first));
        assertThat(store().committedChecksum()).isEqualTo(checksum(first));
        applied(new ChangeBatch("b2", lsn(1), lsn(2), second));
        long expected = checksum(first) + checksum(second);
        assertThat(store().committedChecksum()).isEqualTo(expected);

        store().apply(new ChangeBatch("b2", lsn(1), lsn(2), second));
        store().apply(batch(5, 6, update("tck.item", "9", "{}")));
        assertThat(store().committedChecksum()).as("after a duplicate and a gap").isEqualTo(expected);
        reopen();
        assertThat(store().committedChecksum()).as("after reopen").isEqualTo(expected);
    }

    @Test
    @DisplayName("stores and compares LSNs as unsigned 64-bit numbers, beyond 2^63")
    public void handlesTheWholeLsnRange() {
        Lsn high = Lsn.parse("80000000/10");
        Lsn highest = Lsn.parse("FFFFFFFF/FFFFFFFE");
        applied(batch(Lsn.ZERO, Lsn.parse("7FFFFFFF/FFFFFFFF"), update("tck.item", "1", "{}")));
        applied(batch(Lsn.parse("7FFFFFFF/FFFFFFFF"), high, update("tck.item", "2", "{}")));
        applied(batch(high, highest, update("tck.item", "3", "{}")));
        store().recordPending(Lsn.MAX);

        reopen();

        assertThat(store().committedLsn()).isEqualTo(highest);
        assertThat(store().pendingLsn()).contains(Lsn.MAX);
        assertThat(store().apply(batch(Lsn.ZERO, high)).outcome()).isEqualTo(ApplyOutcome.DUPLICATE);
        assertThat(store().apply(batch(Lsn.MAX, Lsn.MAX)).outcome()).isEqualTo(ApplyOutcome.GAP);
        applied(batch(highest, Lsn.MAX, update("tck.item", "4", "{}")));
        assertThat(store().committedLsn()).isEqualTo(Lsn.MAX);
        assertThat(store().count("tck.item")).isEqualTo(4);
    }
}
