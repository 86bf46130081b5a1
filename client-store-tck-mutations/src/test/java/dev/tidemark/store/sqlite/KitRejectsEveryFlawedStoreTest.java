package dev.tidemark.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The kit's own proof: run through the JUnit Platform Launcher against each flawed store, the kit
 * must fail, and the test written for that flaw must be among its failures. The build fails if the
 * kit accepts any flawed store.
 *
 * <p>To keep the build short, the kit's two second-JVM groups run only for the flaws they are meant
 * to catch. {@code -Dmutations.repeat=20} also runs the atomicity flaws' catching test that many
 * times in a row and requires a catch every time.
 */
class KitRejectsEveryFlawedStoreTest {

    private static final Set<String> CHILD_JVM_GROUPS = Set.of("Durability", "BatchLargerThanTheHeap");

    private static final Set<Flaw> ATOMICITY = EnumSet.of(Flaw.POSITION_BEFORE_DATA, Flaw.POSITION_AFTER_DATA,
            Flaw.HALF_BATCH_ON_FAILURE, Flaw.READS_UNCOMMITTED_WRITES);

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Flaw.class, names = {"NONE", "NEVER_SYNCS"}, mode = EnumSource.Mode.EXCLUDE)
    void kitRejectsTheFlawedStore(Flaw flaw) {
        KitRun run = runKit(flaw, test -> flaw.needsChildJvm() || !CHILD_JVM_GROUPS.contains(group(test)));

        System.out.printf("%-30s %3d tests, %2d failed, %5.1f s; caught by %s%n", flaw, run.tests(),
                run.failures().size(), run.took().toMillis() / 1000.0, run.failures().keySet());
        assertThat(run.tests()).as("kit tests run against %s", flaw).isGreaterThan(50);
        assertThat(run.failures()).as("kit tests that failed for the flawed store %s: none means the kit accepted it", flaw)
                .isNotEmpty();
        assertThat(run.failures().keySet()).as("the test written to catch %s", flaw)
                .anyMatch(test -> test.equals(flaw.caughtBy()) || test.startsWith(flaw.caughtBy() + "["));
    }

    /**
     * The limit of what the kit can see, stated as a test: a store that never syncs survives every
     * {@code kill -9}, because a process crash leaves the operating system's cache to be written out.
     * Only a power loss would show the flaw; the kit documents that it tests process crashes only.
     */
    @Test
    void aStoreThatNeverSyncsSurvivesTheKillTest() {
        KitRun run = runKit(Flaw.NEVER_SYNCS, test -> test.startsWith("Durability.") || test.startsWith("Opening."));

        System.out.printf("%-30s %3d tests, %2d failed, %5.1f s (beyond the kit: it kills processes, it cannot cut"
                + " the power)%n", Flaw.NEVER_SYNCS, run.tests(), run.failures().size(), run.took().toMillis() / 1000.0);
        assertThat(run.tests()).isPositive();
        assertThat(run.failures()).isEmpty();
    }

    @Test
    void atomicityFlawsAreCaughtEveryTime() {
        int repeat = Integer.getInteger("mutations.repeat", 1);
        Assumptions.assumeTrue(repeat > 1, "run with -Dmutations.repeat=20 to repeat the atomicity flaws");
        Map<Flaw, Integer> caught = new LinkedHashMap<>();
        for (Flaw flaw : ATOMICITY) {
            for (int i = 1; i <= repeat; i++) {
                KitRun run = runKit(flaw, test -> test.equals(flaw.caughtBy()) || test.startsWith(flaw.caughtBy() + "["));
                boolean hit = !run.failures().isEmpty();
                caught.merge(flaw, hit ? 1 : 0, Integer::sum);
                System.out.printf("%-26s run %2d: %s in %4.1f s%s%n", flaw, i, hit ? "caught" : "ESCAPED",
                        run.took().toMillis() / 1000.0, hit ? "; " + run.failures().values().iterator().next() : "");
            }
        }
        System.out.println("caught, of " + repeat + " runs each: " + caught);
        assertThat(caught).as("runs of %s in which the flaw's test caught it", repeat)
                .allSatisfy((flaw, hits) -> assertThat(hits).as("%s", flaw).isEqualTo(repeat));
    }

    /** What one run of the kit found: tests run, and the failed ones ({@code Group.method}) with their first message line. */
    record KitRun(long tests, Map<String, String> failures, Duration took) {}

    static KitRun runKit(Flaw flaw, Predicate<String> include) {
        PostDiscoveryFilter filter = descriptor -> descriptor.getSource()
                .filter(MethodSource.class::isInstance)
                .map(source -> FilterResult.includedIf(include.test(name(descriptor))))
                .orElse(FilterResult.included("a container"));
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(FlawedStoreKit.class))
                .configurationParameter(FlawedStoreKit.FLAW, flaw.name())
                .filters(filter)
                .build();
        Launcher launcher = LauncherFactory.create();
        Listener listener = new Listener();
        long started = System.nanoTime();
        launcher.execute(request, listener);
        return new KitRun(listener.tests, listener.failures, Duration.ofNanos(System.nanoTime() - started));
    }

    /** {@code Group.method} of a kit test, plus {@code [n]} for an invocation of a parameterized one. */
    private static String name(TestDescriptor descriptor) {
        MethodSource source = (MethodSource) descriptor.getSource().orElseThrow();
        String className = source.getClassName();
        String group = className.substring(className.lastIndexOf('$') + 1);
        String invocation = descriptor.getUniqueId().getLastSegment().getType().endsWith("invocation")
                ? "[" + descriptor.getUniqueId().getLastSegment().getValue().replace("#", "") + "]" : "";
        return group + "." + source.getMethodName() + invocation;
    }

    private static String name(TestIdentifier identifier) {
        MethodSource source = (MethodSource) identifier.getSource().orElseThrow();
        String className = source.getClassName();
        String group = className.substring(className.lastIndexOf('$') + 1);
        String segment = identifier.getUniqueIdObject().getLastSegment().getType();
        String invocation = segment.endsWith("invocation")
                ? "[" + identifier.getUniqueIdObject().getLastSegment().getValue().replace("#", "") + "]" : "";
        return group + "." + source.getMethodName() + invocation;
    }

    private static String group(String test) {
        return test.substring(0, test.indexOf('.'));
    }

    private static final class Listener implements TestExecutionListener {
        long tests;
        final Map<String, String> failures = new LinkedHashMap<>();

        @Override
        public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
            if (identifier.isTest()) {
                tests++;
            }
            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                String message = result.getThrowable().map(t -> t.getClass().getSimpleName() + ": " + t.getMessage())
                        .orElse(result.getStatus().toString()).replaceAll("\\s+", " ");
                String key = identifier.getSource().filter(MethodSource.class::isInstance).isPresent()
                        ? name(identifier) : identifier.getDisplayName();
                failures.put(key, message.length() > 240 ? message.substring(0, 240) + "..." : message);
            }
        }
    }
}
