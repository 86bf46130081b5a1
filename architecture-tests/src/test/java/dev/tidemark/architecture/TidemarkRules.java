package dev.tidemark.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * The module boundaries of DESIGN.md section 3, as rules, and one rule on how metrics are built. Each rule's
 * description names it in a failure report, so a broken build says which boundary was crossed.
 */
final class TidemarkRules {

    static final String PROTOCOL = "dev.tidemark.protocol..";
    static final String RECOVERY = "dev.tidemark.recovery..";
    static final String CLIENT = "dev.tidemark.client..";
    static final String CLIENT_API = "dev.tidemark.client";
    static final String CLIENT_SPI = "dev.tidemark.client.spi..";
    static final String CLIENT_INTERNAL = "dev.tidemark.client.internal..";
    static final String STORES = "dev.tidemark.store..";
    static final String EXAMPLES = "dev.tidemark.examples..";
    static final String SERVER = "dev.tidemark.server..";
    static final String SERVER_SPI = "dev.tidemark.server.spi..";
    static final String CHANGE_LOG_IMPLEMENTATIONS = "dev.tidemark.server.changelog..";
    static final String TIDEMARK = "dev.tidemark..";

    /** Packages that hold a store implementation; only ServiceLoader may reach them. */
    static final List<String> STORE_IMPLEMENTATIONS = List.of(
            "dev.tidemark.store.sqlite..", "dev.tidemark.store.postgres..", "dev.tidemark.examples..");

    private TidemarkRules() {}

    static final ArchRule PROTOCOL_DEPENDS_ON_NO_OTHER_MODULE = classes()
            .that().resideInAPackage(PROTOCOL)
            .should().onlyDependOnClassesThat(resideOutsideOfPackage(TIDEMARK).or(resideInAPackage(PROTOCOL)))
            .as("protocol depends on no other Tidemark module");

    static final ArchRule RECOVERY_DEPENDS_ONLY_ON_PROTOCOL = classes()
            .that().resideInAPackage(RECOVERY)
            .should().onlyDependOnClassesThat(resideOutsideOfPackage(TIDEMARK).or(resideInAnyPackage(PROTOCOL, RECOVERY)))
            .as("recovery depends only on protocol");

    static final ArchRule CLIENT_MODULES_DO_NOT_DEPEND_ON_SERVER = noClasses()
            .that().resideInAnyPackage(CLIENT, STORES, EXAMPLES)
            .should().dependOnClassesThat().resideInAPackage(SERVER)
            .as("no client module depends on server");

    static final ArchRule SERVER_DOES_NOT_DEPEND_ON_CLIENT_MODULES = noClasses()
            .that().resideInAPackage(SERVER)
            .should().dependOnClassesThat().resideInAnyPackage(CLIENT, STORES, EXAMPLES)
            .as("server depends on no client module");

    static final ArchRule SERVER_IS_A_LIBRARY = noClasses()
            .that().resideInAPackage(SERVER)
            .should().dependOnClassesThat().resideInAnyPackage("picocli..", "io.zonky..", "dev.tidemark.app..")
            .as("the server library has no command line (picocli), no embedded PostgreSQL (io.zonky) and does not"
                    + " use the reference server application (dev.tidemark.app)");

    static final ArchRule STORE_PLUGINS_USE_ONLY_SPI_AND_PROTOCOL = classes()
            .that().resideInAnyPackage(STORES, EXAMPLES)
            .should().onlyDependOnClassesThat(resideOutsideOfPackage(TIDEMARK)
                    .or(resideInAnyPackage(CLIENT_SPI, PROTOCOL, STORES, EXAMPLES)))
            .as("store plugins use only dev.tidemark.client.spi and dev.tidemark.protocol,"
                    + " never dev.tidemark.client.internal or the client API");

    static final ArchRule STORE_IMPLEMENTATIONS_ARE_FOUND_ONLY_BY_SERVICE_LOADER = CompositeArchRule.of(
                    STORE_IMPLEMENTATIONS.stream()
                            .map(store -> noClasses()
                                    .that().resideOutsideOfPackage(store)
                                    .should().dependOnClassesThat().resideInAPackage(store)
                                    .as("nothing outside " + store + " names its classes"))
                            .toList())
            .as("nothing outside a store module names a store implementation class:"
                    + " stores are found with java.util.ServiceLoader only");

    static final ArchRule CHANGE_LOG_REACHED_ONLY_THROUGH_SERVER_SPI = noClasses()
            .that().resideOutsideOfPackage(CHANGE_LOG_IMPLEMENTATIONS)
            .should().dependOnClassesThat().resideInAPackage(CHANGE_LOG_IMPLEMENTATIONS)
            .as("capture and hub reach the change log only through dev.tidemark.server.spi:"
                    + " change-log implementations are found with java.util.ServiceLoader only");

    static final ArchRule CAPTURE_DOES_NOT_DEPEND_ON_HUB = noClasses()
            .that().resideInAPackage("dev.tidemark.server.capture..")
            .should().dependOnClassesThat().resideInAPackage("dev.tidemark.server.hub..")
            .as("capture does not depend on hub: the producer implements dev.tidemark.server.feed contracts"
                    + " (ChangeFeed, SnapshotSource), never its consumer's types");

    static final ArchRule SPIS_NEED_ONLY_THE_JDK_AND_PROTOCOL = classes()
            .that().resideInAnyPackage(CLIENT_SPI, SERVER_SPI)
            .should().onlyDependOnClassesThat(resideInAnyPackage("java..", "", PROTOCOL, CLIENT_SPI, SERVER_SPI,
                    // deliberate (Store SPI v2): StoreContext hands a store the client's meter registry
                    "io.micrometer.core.instrument.."))
            .as("the storage SPIs need nothing beyond the JDK, dev.tidemark.protocol and Micrometer's meter registry");

    static final ArchRule NO_CYCLES_BETWEEN_AREAS = slices()
            .matching("dev.tidemark.(*)..")
            .should().beFreeOfCycles()
            .as("no package cycles between Tidemark's areas");

    static final ArchRule NO_CYCLES_INSIDE_THE_SERVER = slices()
            .matching("dev.tidemark.server.(*)..")
            .should().beFreeOfCycles()
            .as("no package cycles inside the server");

    /**
     * The client's slices: its API package {@code dev.tidemark.client} on its own, and each package below it
     * ({@code internal}, {@code spi}, {@code status}, …) with its subpackages. A plain
     * {@code dev.tidemark.client.(*)..} leaves the API package out, so an API ↔ internal cycle would go unseen.
     */
    static final SliceAssignment CLIENT_SLICES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            if (name.equals(CLIENT_API)) {
                return SliceIdentifier.of("client API (" + CLIENT_API + ")");
            }
            if (name.startsWith(CLIENT_API + ".")) {
                return SliceIdentifier.of(CLIENT_API + "." + name.substring(CLIENT_API.length() + 1).split("\\.")[0]);
            }
            return SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "the client API package and each package below it";
        }
    };

    static final ArchRule NO_CYCLES_INSIDE_THE_CLIENT = slices()
            .assignedFrom(CLIENT_SLICES)
            .should().beFreeOfCycles()
            .as("no package cycles inside the client, its API package included");

    /**
     * Micrometer holds a gauge's state object weakly unless told otherwise: once the object that registered the
     * gauge is collected, the gauge reads NaN for good (a job a test dropped, a service rebuilt). Every gauge of
     * ours names {@code strongReference(true)}, and the registry's weak {@code gauge(...)} shortcuts are not used.
 * (The rule counts calls of {@code strongReference}, not their argument; it knows {@code Gauge}, the kind we use.)
     */
    static final ArchRule GAUGES_HOLD_THEIR_STATE_STRONGLY = classes()
            .that().resideInAPackage(TIDEMARK)
            .should(new ArchCondition<JavaClass>("build every gauge with strongReference(true)") {
                @Override
                public void check(JavaClass owner, ConditionEvents events) {
                    long built = 0;
                    long strong = 0;
                    for (JavaMethodCall call : owner.getMethodCallsFromSelf()) {
                        JavaClass target = call.getTargetOwner();
                        String name = call.getName();
                        if (target.isEquivalentTo(Gauge.class) && name.equals("builder")) {
                            built++;
                        } else if (target.isEquivalentTo(Gauge.Builder.class)
                                && name.equals("strongReference")) {
                            strong++;
                        } else if (target.isAssignableTo(MeterRegistry.class)
                                && name.startsWith("gauge")) {
                            events.add(SimpleConditionEvent.violated(owner,
                                    call.getDescription() + ": the registry's gauge shortcuts hold their state weakly;"
                                            + " use Gauge.builder(...).strongReference(true)"));
                        }
                    }
                    if (built > strong) {
                        events.add(SimpleConditionEvent.violated(owner, owner.getName() + " builds " + built
                                + " gauges but names strongReference(true) " + strong + " times"));
                    }
                }
            })
            .as("gauges hold their state strongly: Gauge.builder(...).strongReference(true), never a weak gauge"
                    + " that reads NaN once its owner is collected");

    static final List<ArchRule> ALL = List.of(
            PROTOCOL_DEPENDS_ON_NO_OTHER_MODULE,
            RECOVERY_DEPENDS_ONLY_ON_PROTOCOL,
            CLIENT_MODULES_DO_NOT_DEPEND_ON_SERVER,
            SERVER_DOES_NOT_DEPEND_ON_CLIENT_MODULES,
            SERVER_IS_A_LIBRARY,
            STORE_PLUGINS_USE_ONLY_SPI_AND_PROTOCOL,
            STORE_IMPLEMENTATIONS_ARE_FOUND_ONLY_BY_SERVICE_LOADER,
            CHANGE_LOG_REACHED_ONLY_THROUGH_SERVER_SPI,
            CAPTURE_DOES_NOT_DEPEND_ON_HUB,
            SPIS_NEED_ONLY_THE_JDK_AND_PROTOCOL,
            NO_CYCLES_BETWEEN_AREAS,
            NO_CYCLES_INSIDE_THE_SERVER,
            NO_CYCLES_INSIDE_THE_CLIENT,
            GAUGES_HOLD_THEIR_STATE_STRONGLY);
}
