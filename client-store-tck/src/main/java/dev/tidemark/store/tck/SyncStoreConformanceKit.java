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
 * <h2>How the kit treats your store</h2>
 * <ul>
 *   <li><b>One store per test.</b> Before each test the kit opens a store from
 *       {@link #newStoreConfig(Path)}; after it, the kit closes it.</li>
 *   <li><b>Readers on other threads.</b> Some tests read ({@code get}, {@code count}, {@code forEach},
 *       the position getters) on other threads while a batch applies, from inside
 *       {@link dev.tidemark.client.spi.ChangeSource#next()}, and apply a batch on another thread while
 *       a {@code forEach} runs. A store may make readers wait for a running apply, or an apply wait for
 *       a running {@code forEach}: the kit waits 5 seconds,
 *       then goes on and checks the read when it ends (those tests then take that much longer).</li>
 *   <li><b>Second JVMs.</b> The durability test and the large-batch test start a second JVM with the
 *       test's class path ({@code java} of the running JDK, options from {@link #childJvmOptions()}).
 *       The kit <em>closes its own store first</em>, so a store that locks its files may do so; the
 *       child opens the store with the same settings, so they must reach the same storage from another
 *       process (a file path, a database URL — not an in-process object). The settings travel on the
 *       child's standard input, never on its command line, where {@code ps} would show a password to
 *       every user of the machine; nothing is written to disk. The child ends itself when the test JVM
 *       goes away.</li>
 *   <li><b>Durability means surviving a process crash.</b> The kill test kills the child with
 *       {@code kill -9} ({@link Process#destroyForcibly()}) at a random moment after the batch it aimed
 *       for, reopens the store and requires every batch the child acknowledged, and exactly the batches
 *       up to the committed LSN. That proves a store commits before {@code apply} returns and never
 *       splits a batch from its position across a crash of the process. It cannot prove that a commit
 *       reached the disk: after a process crash the operating system still writes what it had cached,
 *       so a store that never syncs (SQLite's {@code synchronous=OFF}) passes it. Surviving a power
 *       loss or an operating-system crash — what "commit durably" in the SPI means in full — needs
 *       the storage's own sync (an {@code fsync} of the log before a commit returns), which no test in
 *       one machine's process can observe; say in your store's documentation what it guarantees.</li>
 *   <li><b>Bounded memory.</b> The large-batch test applies, in a child JVM with a 32 MB heap, one
 *       batch of twice that size pulled change by change. A store that keeps all its data in
 *       memory anyway returns {@code false} from {@link #streamsBatches()} and the test is skipped.</li>
 *   <li><b>Storage from a newer version.</b> Override
 *       {@link #markWrittenByNewerVersion(Map)} to let the kit check that your store refuses storage a
 *       newer version of it wrote; without it, that test is skipped (reported as skipped, not passed).</li>
 * </ul>
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

    /**
     * Extra options for the second JVMs (the one the durability test kills, the one that applies a batch
     * larger than its heap), such as {@code -Dsome.property=x}. They come after the kit's own options,
     * so an {@code -Xmx} here replaces the kit's. Do not put secrets here: the command line is visible
     * to every user of the machine; settings from {@link #newStoreConfig(Path)} reach the child on its
     * standard input instead.
     */
    protected List<String> childJvmOptions() {
        return List.of();
    }

    /** How many times the durability test kills a child JVM and reopens the store; 3 by default. */
    protected int killRounds() {
        return 3;
    }

    /**
     * Whether {@code apply} holds a batch in bounded memory however large it is, as the SPI asks when the
     * storage can stream. {@code true} unless overridden; return {@code false} only for a store that
     * keeps all its data in memory anyway, which skips the large-batch test.
     */
    protected boolean streamsBatches() {
        return true;
    }

    /**
     * Changes the (closed) storage that {@code config} names so that it looks written by a newer version
     * of your store — for SQLite {@code PRAGMA user_version = 1000}, for a schema-version table an
     * {@code INSERT} of a version far beyond yours — and returns {@code true}. The kit then requires
     * that opening it fails with {@code INCOMPATIBLE_SCHEMA}, twice in a row. Returns {@code false}
     * unless overridden, which skips that test.
     *
     * @param config the settings {@link #newStoreConfig(Path)} returned for this test
     * @throws Exception anything; it fails the test
     */
    protected boolean markWrittenByNewerVersion(Map<String, String> config) throws Exception {
        return false;
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

    @Nested
    @DisplayName("The position and the data are seen together")
    class Isolation extends IsolationSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("Entity types and ids are matched exactly")
    class EntityKeys extends EntityKeysSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    @Nested
    @DisplayName("A batch larger than the heap")
    class BatchLargerThanTheHeap extends LargeBatchSpec {
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
        boolean streamsBatches() {
            return SyncStoreConformanceKit.this.streamsBatches();
        }
    }

    @Nested
    @DisplayName("Storage a newer version wrote")
    class NewerVersion extends NewerVersionSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }

        @Override
        boolean markWrittenByNewerVersion(Map<String, String> config) throws Exception {
            return SyncStoreConformanceKit.this.markWrittenByNewerVersion(config);
        }
    }

    @Nested
    @DisplayName("Arguments that break the contract")
    class Arguments extends ArgumentsSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }
}
