package dev.tidemark.store.sqlite;

import dev.tidemark.client.spi.StoreBackend;
import java.util.function.Function;

/**
 * The flaws the kit must find, each with the store that has it and the kit test written to catch it
 * ({@code Group.method}, the group being the kit's nested class). Other tests may catch it too.
 */
enum Flaw {
    NONE(BaselineStore::new, null),
    POSITION_BEFORE_DATA(FlawedStores.PositionBeforeData::new, "Isolation.readerInTheMiddleSeesTheStateBefore"),
    POSITION_AFTER_DATA(FlawedStores.PositionAfterData::new, "Isolation.positionAndDataMoveTogether"),
    HALF_BATCH_ON_FAILURE(FlawedStores.HalfBatchOnFailure::new, "Atomicity.rollsBackABrokenStream"),
    REAPPLIES_DUPLICATES(FlawedStores.ReappliesDuplicates::new, "Applying.reportsDuplicates"),
    ACCEPTS_GAPS(FlawedStores.AcceptsGaps::new, "Applying.reportsGaps"),
    UPDATE_REPLACES(FlawedStores.UpdateReplaces::new, "Merging.keepsAbsentMembers"),
    DELETE_DOES_NOTHING(FlawedStores.DeleteDoesNothing::new, "Deleting.deleteRemoves"),
    TRUNCATE_WITH_UNESCAPED_LIKE(FlawedStores.TruncateWithUnescapedLike::new, "EntityKeys.truncateMatchesTheTypeExactly"),
    TRIMS_IDS(FlawedStores.TrimsIds::new, "EntityKeys.idsAreExact"),
    IGNORES_PENDING_MARKER(FlawedStores.IgnoresPendingMarker::new, "PendingMarker.recordsDurably"),
    COMMITS_ONLY_ON_CLOSE(FlawedStores.CommitsOnlyOnClose::new, "Durability.survivesKill"),
    READS_UNCOMMITTED_WRITES(FlawedStores.ReadsUncommittedWrites::new, "Isolation.readerInTheMiddleSeesTheStateBefore"),
    CHECKSUM_CUT_TO_32_BITS(FlawedStores.ChecksumCutTo32Bits::new, "Applying.keepsARunningChecksum"),
    PAGED_FOR_EACH(FlawedStores.PagedForEach::new, "Isolation.forEachIsOneView"),
    BUFFERS_WHOLE_BATCH(FlawedStores.BuffersWholeBatch::new, "BatchLargerThanTheHeap.appliesABatchLargerThanTheHeap"),
    IGNORES_NEWER_SCHEMA_VERSION(FlawedStores.IgnoresNewerSchemaVersion::new, "NewerVersion.refusesNewerStorage"),
    /** Beyond the kit: only a power loss shows it. */
    NEVER_SYNCS(FlawedStores.NeverSyncs::new, null);

    private final Function<SqliteStoreConfig, StoreBackend> open;
    private final String caughtBy;

    Flaw(Function<SqliteStoreConfig, StoreBackend> open, String caughtBy) {
        this.open = open;
        this.caughtBy = caughtBy;
    }

    StoreBackend open(SqliteStoreConfig config) {
        return open.apply(config);
    }

    /** The kit test written to catch this flaw, as {@code Group.method}. */
    String caughtBy() {
        return caughtBy;
    }

    /** The kit group of {@link #caughtBy()}. */
    String group() {
        return caughtBy.substring(0, caughtBy.indexOf('.'));
    }

    /** Whether this flaw's test runs in a second JVM (and so the kit's child-JVM groups must run for it). */
    boolean needsChildJvm() {
        return caughtBy != null && (group().equals("Durability") || group().equals("BatchLargerThanTheHeap"));
    }
}
