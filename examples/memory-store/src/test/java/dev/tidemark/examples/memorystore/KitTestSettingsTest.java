package dev.tidemark.examples.memorystore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;

import dev.tidemark.store.tck.SyncStoreConformanceKit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** The kit's channel for test-only settings: {@code testSettings()} reaches the store, and never silently wins. */
class KitTestSettingsTest {

    @Test
    void testSettingsReachTheStoreTheKitOpens() {
        List<String> failures = runOpeningGroup(UndeclaredTestSettingKit.class);

        assertThat(failures).as("tests of the Opening group; the store refuses the test setting it does not declare")
                .isNotEmpty()
                .allSatisfy(failure -> assertThat(failure).contains("pageSize"));
    }

    @Test
    void aSettingGivenTwiceFailsWithWhatToDo() {
        List<String> failures = runOpeningGroup(JournalTwiceKit.class);

        assertThat(failures).isNotEmpty().allSatisfy(failure -> assertThat(failure)
                .contains("'journal' comes from both newStoreConfig() and testSettings()"));
    }

    /** Runs the kit's Opening group of {@code kit}; returns the message of each test that did not pass. */
    private static List<String> runOpeningGroup(Class<?> kit) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectNestedClass(List.of(kit), SyncStoreConformanceKit.Opening.class))
                .build();
        List<String> failures = new ArrayList<>();
        List<String> ran = new ArrayList<>();
        LauncherFactory.create().execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
                if (identifier.isTest()) {
                    ran.add(identifier.getDisplayName());
                    if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        failures.add(result.getThrowable().map(Throwable::toString).orElse("no exception"));
                    }
                }
            }
        });
        assertThat(ran).as("tests of the Opening group that ran").isNotEmpty();
        assertThat(failures).as("failures, one per test that ran").hasSameSizeAs(ran);
        return failures;
    }
}
