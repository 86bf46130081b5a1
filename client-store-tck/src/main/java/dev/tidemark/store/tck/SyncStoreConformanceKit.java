package dev.tidemark.store.tck;

import dev.tidemark.client.spi.SyncStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit: the whole {@link SyncStore} contract as JUnit 5 tests. Extend it in your
 * store's tests, say which store to open and how, and run it:
 *
 * <pre>{@code
 * class MyStoreConformanceTest extends SyncStoreConformanceKit {
 *     @Override
 *     protected String storeName() {
 *         return "my-store";
 *     }
 *
 *     @Override
 *     protected Map<String, String> newStoreConfig(Path directory) {
 *         return Map.of("path", directory.resolve("store.db").toString());
 *     }
 * }
 * }</pre>
 *
 * <p>The kit opens the store by name through {@link dev.tidemark.client.spi.SyncStores}, exactly as
 * the client does, so it also proves the {@code META-INF/services} registration. Every test gets a
 * fresh store from {@link #newStoreConfig(Path)} and closes it afterwards.
 *
 * <p>The durability test starts a second JVM with the test's class path, which opens the same store
 * with the same settings, applies batches in a loop and is killed with {@code kill -9}
 * ({@link Process#destroyForcibly()}) at a random moment; the reopened store must hold every batch the
 * child acknowledged, and exactly the batches up to its committed LSN. The settings must therefore
 * reach the same storage from another process (a file path, a database URL — not an in-process
 * object).
 */
public abstract class SyncStoreConformanceKit {

    @TempDir
    Path directory;

    private StoreHarness harness;

    /** The name your {@link dev.tidemark.client.spi.SyncStoreProvider} registers. */
    protected abstract String storeName();

    /**
     * Settings that open a new, empty store. Called once per test; every call must name storage no
     * earlier call used (a new file in {@code directory}, a new database schema, ...).
     *
     * @param directory a fresh temporary directory for this test, deleted afterwards
     */
    protected abstract Map<String, String> newStoreConfig(Path directory);

    /** Extra options for the JVM the durability test kills, such as {@code -Dsome.property=x}. */
    protected List<String> childJvmOptions() {
        return List.of();
    }

    /** How many times the durability test kills a child JVM and reopens the store; 3 by default. */
    protected int killRounds() {
        return 3;
    }

    @BeforeEach
    final void openStore() {
        harness = new StoreHarness(storeName(), newStoreConfig(directory));
    }

    @AfterEach
    final void closeStore() {
        if (harness != null) {
            harness.close();
        }
    }

    final StoreHarness harness() {
        return harness;
    }

    @Nested
    @DisplayName("Opening and closing")
    class Opening extends OpeningSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("Applying a batch")
    class Applying extends ApplyingSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("An update merges into the stored entity")
    class Merging extends MergeSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("Delete and truncate")
    class Deleting extends DeleteTruncateSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("A move takes an entity to its new id")
    class Moving extends MoveSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("A failure in the middle of a batch changes nothing")
    class Atomicity extends AtomicitySpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("A batch streamed in parts")
    class Streaming extends StreamingSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("The pending marker")
    class PendingMarker extends PendingMarkerSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("History and metadata")
    class HistoryAndMetadata extends HistoryAndMetadataSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("Reading entities")
    class Reading extends ReadsSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("Readers beside a running apply")
    class Concurrency extends ConcurrencySpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("Durability across kill -9")
    class Durability extends DurabilitySpec {
        @Override
        StoreHarness harness() {
            return harness;
        }

        @Override
        Path workDirectory() {
            return directory;
        }

        @Override
        List<String> childJvmOptions() {
            return SyncStoreConformanceKit.this.childJvmOptions();
        }

        @Override
        int killRounds() {
            return SyncStoreConformanceKit.this.killRounds();
        }
    }
}
