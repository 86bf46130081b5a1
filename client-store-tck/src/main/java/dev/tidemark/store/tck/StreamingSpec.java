package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.JsonAssert.assertEntity;
import static dev.tidemark.store.tck.TckData.header;
import static dev.tidemark.store.tck.TckData.lsn;
import static dev.tidemark.store.tck.TckData.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.client.spi.ApplyOutcome;
import dev.tidemark.protocol.Change;
import dev.tidemark.protocol.Checksum;
import java.util.function.IntFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group of tests: A batch streamed in parts.
 * Run through the public nested class of the same theme in {@link SyncStoreConformanceKit}.
 */
public abstract class StreamingSpec extends StoreSpec {

    @Test
    @DisplayName("applies a batch of 30,000 changes pulled one at a time from a stream, in one step")
    public void appliesALargeStream() {
        int size = 30_000;
        IntFunction<Change> changeAt = i -> update("tck.item", Integer.toString(i % 20_000),
                "{\"i\":" + i + ",\"pad\":\"" + "p".repeat(i % 50) + "\"}");
        ScriptedChangeSource changes = ScriptedChangeSource.generated(size, changeAt);

        assertThat(store().apply(header(0, 1), changes).outcome()).isEqualTo(ApplyOutcome.APPLIED);

        assertThat(changes.pulled()).isEqualTo(size);
        assertThat(store().committedLsn()).isEqualTo(lsn(1));
        assertThat(store().count("tck.item")).isEqualTo(20_000);
        assertEntity(store().get("tck.item", "5"), "{\"i\":20005,\"pad\":\"" + "p".repeat(20005 % 50) + "\"}");
        assertEntity(store().get("tck.item", "19999"), "{\"i\":19999,\"pad\":\"" + "p".repeat(19999 % 50) + "\"}");
        long expected = 0;
        for (int i = 0; i < size; i++) {
            expected += Checksum.of(changeAt.apply(i));
        }
        assertThat(store().committedChecksum()).isEqualTo(expected);
    }
}
