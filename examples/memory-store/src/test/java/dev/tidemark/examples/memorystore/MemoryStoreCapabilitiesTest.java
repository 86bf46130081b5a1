package dev.tidemark.examples.memorystore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;

import dev.tidemark.store.tck.SyncStoreConformanceKit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The memory store leaves {@code STREAMS_BATCHES} out of its capabilities: the kit's large-batch group must be
 * reported as skipped with that capability as the reason, not run and not passed.
 */
class MemoryStoreCapabilitiesTest {

    @Test
    void aGroupNeedingACapabilityTheStoreLacksIsReportedAsSkippedWithTheReason() {
        Outcomes outcomes = run(SyncStoreConformanceKit.BatchLargerThanTheHeap.class);

        assertThat(outcomes.skipped).as("tests of the large-batch group reported as skipped, with reasons")
                .containsOnlyKeys("appliesABatchLargerThanTheHeap()");
        assertThat(outcomes.skipped.get("appliesABatchLargerThanTheHeap()"))
                .contains("STREAMS_BATCHES", "capabilities()", "skipped, not passed");
        assertThat(outcomes.finished).as("tests of the large-batch group that ran (passed or failed)").isEmpty();
    }

    @Test
    void aGroupNeedingOnlyDeclaredCapabilitiesRuns() {
        Outcomes outcomes = run(SyncStoreConformanceKit.Durability.class);

        assertThat(outcomes.skipped).as("skipped durability tests").isEmpty();
        // The kept-marker kill test assumes a store that keeps the pending marker on commit; this one does not
        // (StoreBackend.canKeepPending() is false), so that test is aborted, not failed.
        assertThat(outcomes.finished).as("durability tests that ran").containsExactlyInAnyOrder(
                "survivesKill() SUCCESSFUL", "survivesKillKeepingTheMarker() ABORTED");
    }

    private static Outcomes run(Class<?> group) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectNestedClass(List.of(MemoryStoreConformanceTest.class), group))
                .build();
        Outcomes outcomes = new Outcomes();
        LauncherFactory.create().execute(request, outcomes);
        return outcomes;
    }

    private static final class Outcomes implements TestExecutionListener {
        final Map<String, String> skipped = new LinkedHashMap<>();
        final List<String> finished = new ArrayList<>();

        @Override
        public void executionSkipped(TestIdentifier identifier, String reason) {
            skipped.put(identifier.getLegacyReportingName(), reason);
        }

        @Override
        public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
            if (identifier.isTest()) {
                finished.add(identifier.getLegacyReportingName() + " " + result.getStatus());
            }
        }
    }
}
