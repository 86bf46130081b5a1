package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.JsonAssert.assertEntity;
import static dev.tidemark.store.tck.TckData.batch;
import static dev.tidemark.store.tck.TckData.lsn;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.client.spi.SyncStores;
import dev.tidemark.protocol.Lsn;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * The kit's group of tests: Opening, reopening and closing a store.
 * Run through the public nested class of the same theme in {@link SyncStoreConformanceKit}.
 */
public abstract class OpeningSpec extends StoreSpec {

    @Test
    @DisplayName("is found by its name through ServiceLoader")
    public void isFoundByName() {
        assertThat(SyncStores.available()).contains(harness().storeName());
        assertThat(SyncStores.provider(harness().storeName()).name()).isEqualTo(harness().storeName());
    }

    @Test
    @DisplayName("starts empty at 0/0, with no history, no pending marker and checksum 0")
    public void startsEmpty() {
        SyncStore store = store();
        assertThat(store.committedLsn()).isEqualTo(Lsn.ZERO);
        assertThat(store.committedChecksum()).isZero();
        assertThat(store.historyId()).isEmpty();
        assertThat(store.pendingLsn()).isEmpty();
        assertThat(store.count("tck.item")).isZero();
        assertThat(store.metadata("clientId")).isEmpty();
    }

    @Test
    @DisplayName("keeps data, committed LSN, checksum, history, pending marker and metadata across close and reopen")
    public void keepsEverythingAcrossReopen() {
        store().resetHistory("history-1");
        store().putMetadata("clientId", "c-42");
        applied(batch(0, 1, update("tck.item", "1", "{\"a\":1}"), update("tck.item", "2", "{\"b\":null}")));
        store().recordPending(lsn(2));
        StoreSnapshot before = StoreSnapshot.of(store(), "tck.item");

        reopen();

        assertThat(StoreSnapshot.of(store(), "tck.item")).isEqualTo(before);
        assertThat(store().committedLsn()).isEqualTo(lsn(1));
        assertThat(store().historyId()).contains("history-1");
        assertThat(store().pendingLsn()).contains(lsn(2));
        assertThat(store().metadata("clientId")).contains("c-42");
        assertEntity(store().get("tck.item", "2"), "{\"b\":null}");
        applied(batch(1, 2, update("tck.item", "3", "{}")));
        assertThat(store().count("tck.item")).isEqualTo(3);
    }

    @Test
    @DisplayName("rejects a setting it does not know with INVALID_CONFIG naming the setting")
    public void rejectsUnknownSettings() {
        Map<String, String> config = new HashMap<>(harness().config());
        config.put("tck-misspelt-setting", "x");
        assertThatThrownBy(() -> SyncStores.open(harness().storeName(), config).close())
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INVALID_CONFIG))
                .hasMessageContaining("tck-misspelt-setting");
    }

    @Test
    @DisplayName("refuses every call after close with CLOSED, and closing twice is harmless")
    public void refusesCallsAfterClose() {
        SyncStore store = store();
        store.close();
        store.close();
        ThrowingCallable[] calls = {
            store::committedLsn,
            store::committedChecksum,
            store::historyId,
            store::pendingLsn,
            () -> store.recordPending(lsn(1)),
            store::clearPending,
            () -> store.resetHistory("h"),
            () -> store.apply(batch(0, 1)),
            () -> store.get("tck.item", "1"),
            () -> store.count("tck.item"),
            () -> store.forEach("tck.item", (id, data) -> { }),
            () -> store.metadata("k"),
            () -> store.putMetadata("k", "v"),
        };
        for (ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOfSatisfying(SyncStoreException.class,
                    e -> assertThat(e.code()).isEqualTo(StoreErrorCode.CLOSED));
        }
        reopen();
        assertThat(store().committedLsn()).isEqualTo(Lsn.ZERO);
    }
}
