package dev.tidemark.store.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tidemark.client.spi.StoreErrorCode;
import dev.tidemark.client.spi.SyncStoreException;
import dev.tidemark.client.spi.SyncStores;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group of tests: Storage a newer version of the store wrote is refused (needs {@link StoreCapability#REFUSES_NEWER_STORAGE}).
 * Run through the public nested class of the same theme in {@link SyncStoreConformanceKit}.
 */
public abstract class NewerVersionSpec extends StoreSpec {

    /** Marks the closed store's storage as written by a newer version; false when the kit user gave no way. */
    abstract boolean markWrittenByNewerVersion(Map<String, String> config) throws Exception;

    @Test
    @DisplayName("refuses to open storage a newer version wrote, with INCOMPATIBLE_SCHEMA, and leaves it as it was")
    public void refusesNewerStorage() throws Exception {
        store().close();
        Assumptions.assumeTrue(markWrittenByNewerVersion(harness().config()),
                "the kit user did not override markWrittenByNewerVersion(Map)");
        for (int attempt = 1; attempt <= 2; attempt++) {
            assertThatThrownBy(() -> SyncStores.open(harness().storeName(), harness().config()).close())
                    .as("opening storage a newer version wrote (attempt %s)", attempt)
                    .isInstanceOfSatisfying(SyncStoreException.class,
                            e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INCOMPATIBLE_SCHEMA));
        }
    }
}
