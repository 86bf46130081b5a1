package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.TckData.batch;
import static dev.tidemark.store.tck.TckData.lsn;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Lsn;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group of tests: Resetting history and the store's metadata.
 * Run through the public nested class of the same theme in {@link SyncStoreConformanceKit}.
 */
public abstract class HistoryAndMetadataSpec extends StoreSpec {

    @Test
    @DisplayName("resetHistory removes every entity, returns to 0/0 with checksum 0, clears the marker and records the history")
    public void resetHistoryStartsOver() {
        store().resetHistory("h1");
        store().putMetadata("clientId", "c1");
        applied(batch(0, 1, update("tck.item", "1", "{}"), update("tck.other", "1", "{}")));
        store().recordPending(lsn(2));

        store().resetHistory("h2");

        assertThat(store().historyId()).contains("h2");
        assertThat(store().committedLsn()).isEqualTo(Lsn.ZERO);
        assertThat(store().committedChecksum()).isZero();
        assertThat(store().pendingLsn()).isEmpty();
        assertThat(store().count("tck.item")).isZero();
        assertThat(store().count("tck.other")).isZero();
        assertThat(store().metadata("clientId")).as("metadata survives a reset").contains("c1");
        reopen();
        assertThat(store().historyId()).contains("h2");
        assertThat(store().count("tck.item")).isZero();
        applied(batch(0, 1, update("tck.item", "2", "{}")));
        assertThat(store().count("tck.item")).isEqualTo(1);
    }

    @Test
    @DisplayName("keeps the history id while batches apply")
    public void historyStaysWhileApplying() {
        store().resetHistory("7304712379183646982-1-tidemark_slot");
        applied(batch(0, 1, update("tck.item", "1", "{}")));
        assertThat(store().historyId()).contains("7304712379183646982-1-tidemark_slot");
    }

    @Test
    @DisplayName("stores, replaces and reads metadata, which survives reopening")
    public void metadata() {
        assertThat(store().metadata("clientId")).isEmpty();
        store().putMetadata("clientId", "first");
        store().putMetadata("clientId", "second");
        store().putMetadata("other", "");
        store().putMetadata("k".repeat(200), "long key");
        applied(batch(0, 1, update("tck.item", "1", "{}")));

        reopen();

        assertThat(store().metadata("clientId")).contains("second");
        assertThat(store().metadata("other")).contains("");
        assertThat(store().metadata("k".repeat(200))).contains("long key");
        assertThat(store().metadata("clientid")).as("keys are case-sensitive").isEmpty();
    }
}
