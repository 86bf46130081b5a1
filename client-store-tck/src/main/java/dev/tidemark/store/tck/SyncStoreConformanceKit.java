package dev.tidemark.store.tck;

import static java.util.Objects.requireNonNull;

import dev.tidemark.client.spi.SyncStore;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit: the whole store contract of the SPI ({@link dev.tidemark.client.spi}) as JUnit 5
 * tests. Extend it in your store's tests, say which store to open and how, and run it:
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
 * <p>Your store is a {@link dev.tidemark.client.spi.StoreBackend} (the storage primitives inside one
 * {@link dev.tidemark.client.spi.BatchTransaction} it owns, and its reads) that its
 * {@link dev.tidemark.client.spi.SyncStoreProvider} opens from its declared
 * {@link dev.tidemark.client.spi.StoreSetting settings}; the core wraps it in the
 * {@link SyncStore} the client uses, which owns the duplicate/gap/overlap decision, the running checksum,
 * JSON validation and the closed check. The kit opens the store by name through
 * {@link dev.tidemark.client.spi.SyncStores#open(String, Map)}, exactly as the client does, and tests that
 * {@link SyncStore}: so it proves the {@code META-INF/services} registration, the settings your provider
 * declares, and what your backend does inside the core's rules (that the position and the data commit in
 * one transaction, that readers see them together, that a batch streams in bounded memory, ...).
 *
 * <h2>Groups, capabilities and test-only settings</h2>
 * <ul>
 *   <li><b>Groups.</b> The tests come in public groups, one {@link Nested} class per theme (such as
 *       {@link Applying}, {@link Atomicity}, {@link Durability}), each extending a public, documented spec
 *       class ({@link ApplyingSpec}, ...) whose test methods are public: reports name them, and each
 *       spec's Javadoc and test names say what the group requires. Your test class may add its own
 *       {@code @Nested} groups beside them for what is particular to your store.</li>
 *   <li><b>Capabilities.</b> Override {@link #capabilities()} to declare what your store can do beyond the
 *       contract every store meets ({@link StoreCapability}; all of them by default). A group needing a
 *       capability you leave out is reported as <em>skipped</em>, each test with the missing capability as
 *       its reason — never passed. Leave one out only when your store truly cannot have it, and say so in
 *       your store's documentation.</li>
 *   <li><b>Test-only settings.</b> Override {@link #testSettings()} for settings only tests need (a
 *       smaller page size that makes paging visible, a test password, ...). The kit merges them into
 *       every store's settings from {@link #newStoreConfig(Path)} (a key in both fails the test, so one
 *       never silently replaces the other), including the second JVMs', where they travel on standard
 *       input like every setting, never on a command line. They must be settings your provider declares:
 *       the core refuses unknown settings.</li>
 * </ul>
 *
 * <h2>How the kit treats your store</h2>
 * <ul>
 *   <li><b>One store per test.</b> Before each test the kit opens a store from
 *       {@link #newStoreConfig(Path)} and {@link #testSettings()}; after it, the kit closes it.</li>
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
 *       process ({@link StoreCapability#SHARED_ACROSS_PROCESSES}). The settings travel on the
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
 *       memory anyway leaves {@link StoreCapability#STREAMS_BATCHES} out of {@link #capabilities()}
 *       and the test is reported as skipped.</li>
 *   <li><b>Storage from a newer version.</b> Override
 *       {@link #markWrittenByNewerVersion(Map)} to let the kit check that your store refuses storage a
 *       newer version of it wrote; without it, that test is skipped (reported as skipped, not passed).</li>
 * </ul>
 */
@ExtendWith(CapabilityCondition.class)
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
     * What your store can do beyond the contract every store meets; all of {@link StoreCapability} unless
     * overridden. A group needing a capability missing here is reported as skipped, with that capability as
     * the reason.
     */
    protected Set<StoreCapability> capabilities() {
        return EnumSet.allOf(StoreCapability.class);
    }

    /**
     * Settings only tests need, merged into every store's settings from {@link #newStoreConfig(Path)} (a key
     * in both fails the test). They reach second JVMs on standard input, never on a command line. Empty
     * unless overridden; each must be a setting your provider declares.
     */
    protected Map<String, String> testSettings() {
        return Map.of();
    }

    /**
     * Extra options for the second JVMs (the one the durability test kills, the one that applies a batch
     * larger than its heap), such as {@code -Dsome.property=x}. They come after the kit's own options,
     * so an {@code -Xmx} here replaces the kit's. Do not put secrets here: the command line is visible
     * to every user of the machine; settings from {@link #newStoreConfig(Path)} and {@link #testSettings()}
     * reach the child on its standard input instead.
     */
    protected List<String> childJvmOptions() {
        return List.of();
    }

    /** How many times the durability test kills a child JVM and reopens the store; 3 by default. */
    protected int killRounds() {
        return 3;
    }

    /**
     * Changes the (closed) storage that {@code config} names so that it looks written by a newer version
     * of your store — for SQLite {@code PRAGMA user_version = 1000}, for a schema-version table an
     * {@code INSERT} of a version far beyond yours — and returns {@code true}. The kit then requires
     * that opening it fails with {@code INCOMPATIBLE_SCHEMA}, twice in a row. Returns {@code false}
     * unless overridden, which skips that test.
     *
     * @param config the settings of this test's store ({@link #newStoreConfig(Path)} and
     *     {@link #testSettings()})
     * @throws Exception anything; it fails the test
     */
    protected boolean markWrittenByNewerVersion(Map<String, String> config) throws Exception {
        return false;
    }

    /** {@link #capabilities()}, checked: read by the kit's {@link CapabilityCondition}. */
    final Set<StoreCapability> declaredCapabilities() {
        Set<StoreCapability> declared = capabilities();
        if (declared == null) {
            throw new IllegalStateException("capabilities() returned null; return an empty set for none");
        }
        return Set.copyOf(declared);
    }

    /** The settings of this test's store: {@link #newStoreConfig(Path)} with {@link #testSettings()}. */
    private Map<String, String> storeSettings() {
        Map<String, String> settings = new HashMap<>(requireNonNull(newStoreConfig(directory),
                "newStoreConfig() returned null"));
        Map<String, String> extra = requireNonNull(testSettings(), "testSettings() returned null");
        for (Map.Entry<String, String> setting : extra.entrySet()) {
            if (settings.putIfAbsent(setting.getKey(), setting.getValue()) != null) {
                throw new IllegalStateException("the setting '" + setting.getKey() + "' comes from both"
                        + " newStoreConfig() and testSettings(); give it in one of them");
            }
        }
        return settings;
    }

    @BeforeEach
    final void openStore() {
        harness = new StoreHarness(storeName(), storeSettings());
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

    /** The group “Opening and closing”. */
    @Nested
    @DisplayName("Opening and closing")
    public class Opening extends OpeningSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    /** The group “Applying a batch”. */
    @Nested
    @DisplayName("Applying a batch")
    public class Applying extends ApplyingSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    /** The group “An update merges into the stored entity”. */
    @Nested
    @DisplayName("An update merges into the stored entity")
    public class Merging extends MergeSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    /** The group “Delete and truncate”. */
    @Nested
    @DisplayName("Delete and truncate")
    public class Deleting extends DeleteTruncateSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    /** The group “A move takes an entity to its new id”. */
    @Nested
    @DisplayName("A move takes an entity to its new id")
    public class Moving extends MoveSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    /** The group “A failure in the middle of a batch changes nothing”. */
    @Nested
    @DisplayName("A failure in the middle of a batch changes nothing")
    public class Atomicity extends AtomicitySpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    /** The group “A batch streamed in parts”. */
    @Nested
    @DisplayName("A batch streamed in parts")
    public class Streaming extends StreamingSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    /** The group “The pending marker”. */
    @Nested
    @DisplayName("The pending marker")
    public class PendingMarker extends PendingMarkerSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    /** The group “History and metadata”. */
    @Nested
    @DisplayName("History and metadata")
    public class HistoryAndMetadata extends HistoryAndMetadataSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    /** The group “Reading entities”. */
    @Nested
    @DisplayName("Reading entities")
    public class Reading extends ReadsSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    /** The group “Readers beside a running apply”. */
    @Nested
    @DisplayName("Readers beside a running apply")
    public class Concurrency extends ConcurrencySpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    /** Durability across {@code kill -9} of a second JVM; needs {@link StoreCapability#SHARED_ACROSS_PROCESSES}. */
    @Nested
    @RequiresCapability(StoreCapability.SHARED_ACROSS_PROCESSES)
    @DisplayName("Durability across kill -9")
    public class Durability extends DurabilitySpec {
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

    /** The group “The position and the data are seen together”. */
    @Nested
    @DisplayName("The position and the data are seen together")
    public class Isolation extends IsolationSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    /** The group “Entity types and ids are matched exactly”. */
    @Nested
    @DisplayName("Entity types and ids are matched exactly")
    public class EntityKeys extends EntityKeysSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }

    /**
     * A batch larger than a small JVM's heap; needs {@link StoreCapability#STREAMS_BATCHES} and
     * {@link StoreCapability#SHARED_ACROSS_PROCESSES}.
     */
    @Nested
    @RequiresCapability({StoreCapability.STREAMS_BATCHES, StoreCapability.SHARED_ACROSS_PROCESSES})
    @DisplayName("A batch larger than the heap")
    public class BatchLargerThanTheHeap extends LargeBatchSpec {
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
    }

    /** Storage a newer version wrote; needs {@link StoreCapability#REFUSES_NEWER_STORAGE}. */
    @Nested
    @RequiresCapability(StoreCapability.REFUSES_NEWER_STORAGE)
    @DisplayName("Storage a newer version wrote")
    public class NewerVersion extends NewerVersionSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }

        @Override
        boolean markWrittenByNewerVersion(Map<String, String> config) throws Exception {
            return SyncStoreConformanceKit.this.markWrittenByNewerVersion(config);
        }
    }

    /** The group “Arguments that break the contract”. */
    @Nested
    @DisplayName("Arguments that break the contract")
    public class Arguments extends ArgumentsSpec {
        @Override
        StoreHarness harness() {
            return harness;
        }
    }
}
