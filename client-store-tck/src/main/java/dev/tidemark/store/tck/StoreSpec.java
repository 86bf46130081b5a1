package dev.tidemark.store.tck;

import dev.tidemark.client.spi.ApplyOutcome;
import dev.tidemark.client.spi.ApplyResult;
import dev.tidemark.client.spi.SyncStore;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.ChangeBatch;
import dev.tidemark.protocol.Checksum;
import java.util.List;
import org.assertj.core.api.Assertions;

/** Base of the kit's groups of tests: access to the test's store. */
public abstract class StoreSpec {

    /** The test's store, owned by the enclosing {@link SyncStoreConformanceKit}. */
    abstract StoreHarness harness();

    SyncStore store() {
        return harness().store();
    }

    SyncStore reopen() {
        return harness().reopen();
    }

    /** Applies {@code batch} and asserts that it was applied. */
    void applied(ChangeBatch batch) {
        ApplyResult result = store().apply(batch);
        Assertions.assertThat(result).as("result of applying %s", batch.batchId())
                .isEqualTo(new ApplyResult(ApplyOutcome.APPLIED, batch.lsn()));
    }

    static long checksum(List<Change> changes) {
        return Checksum.of(changes);
    }
}
