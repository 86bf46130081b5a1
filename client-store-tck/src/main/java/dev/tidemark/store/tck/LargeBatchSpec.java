package dev.tidemark.store.tck;

import static dev.tidemark.store.tck.JsonAssert.assertEntity;
import static dev.tidemark.store.tck.TckData.lsn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tidemark.client.spi.SyncStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The kit's group of tests: A batch larger than a small JVM's heap (needs {@link StoreCapability#STREAMS_BATCHES} and {@link StoreCapability#SHARED_ACROSS_PROCESSES}).
 * Run through the public nested class of the same theme in {@link SyncStoreConformanceKit}.
 */
public abstract class LargeBatchSpec extends StoreSpec {

    /** The child's heap: small, so that a store holding the batch in memory runs out of it. */
    static final String CHILD_HEAP = "32m";

    abstract Path workDirectory();

    abstract List<String> childJvmOptions();

    @Test
    @DisplayName("applies, in a JVM with a 32 MB heap, one batch twice that size pulled from a stream:"
            + " the store holds a batch in bounded memory")
    public void appliesABatchLargerThanTheHeap() throws Exception {
        store().close();
        Path errors = workDirectory().resolve("large-batch-child.err");
        List<String> options = new ArrayList<>(childJvmOptions());
        options.add("-XX:+ExitOnOutOfMemoryError");
        Process child = ChildJvm.start(LargeBatchChild.class, CHILD_HEAP, options, harness().config(), errors,
                harness().storeName());
        String output;
        try (InputStream out = child.getInputStream()) {
            boolean ended = child.waitFor(600, TimeUnit.SECONDS);
            if (!ended) {
                child.destroyForcibly();
                fail("the large batch took more than 10 minutes in the child JVM");
            }
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            child.destroyForcibly();
        }
        String err = read(errors);
        assertThat(child.exitValue()).as("exit code of the child JVM (-Xmx%s) applying the large batch; output: %s;"
                + " errors: %s", CHILD_HEAP, output, err).isZero();
        assertThat(output).as("child output").contains("applied ");
        int size = Integer.parseInt(output.lines().filter(l -> l.startsWith("size ")).findFirst().orElseThrow()
                .substring(5).trim());
        assertThat((long) size * LargeBatch.CHANGE_BYTES).as("bytes of the batch").isGreaterThan(48L << 20);

        SyncStore store = reopen();
        assertThat(store.committedLsn()).isEqualTo(lsn(1));
        assertThat(store.count(LargeBatch.TYPE)).isEqualTo(LargeBatch.ENTITIES);
        assertThat(store.committedChecksum()).isEqualTo(LargeBatch.checksum(size));
        for (int entity : new int[] {0, 1, LargeBatch.ENTITIES - 1}) {
            assertEntity(store.get(LargeBatch.TYPE, LargeBatch.id(entity)), LargeBatch.expected(entity, size));
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }
}
