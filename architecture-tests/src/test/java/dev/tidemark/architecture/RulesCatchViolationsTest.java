package dev.tidemark.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.tidemark.client.PlantedApiSide;
import dev.tidemark.client.alpha.fixture.ClientA;
import dev.tidemark.client.beta.fixture.ClientB;
import dev.tidemark.client.fixture.ClientUsingServer;
import dev.tidemark.client.internal.fixture.PlantedInternalSide;
import dev.tidemark.client.spi.fixture.SpiUsingJackson;
import dev.tidemark.cyclea.fixture.AreaA;
import dev.tidemark.cycleb.fixture.AreaB;
import dev.tidemark.protocol.fixture.ProtocolUsingServer;
import dev.tidemark.recovery.fixture.RecoveryUsingClient;
import dev.tidemark.server.alpha.fixture.ServerA;
import dev.tidemark.server.beta.fixture.ServerB;
import dev.tidemark.server.capture.fixture.CaptureImplementingFeedType;
import dev.tidemark.server.capture.fixture.CaptureImplementingHubType;
import dev.tidemark.server.fixture.ServerUsingPicocli;
import dev.tidemark.server.fixture.ServerUsingStore;
import dev.tidemark.server.fixture.ServerWithStrongGauge;
import dev.tidemark.server.fixture.ServerWithWeakGauge;
import dev.tidemark.server.fixture.ServerWithWeakRegistryGauge;
import dev.tidemark.server.hub.fixture.HubUsingChangeLogImplementation;
import dev.tidemark.store.sqlite.fixture.CompliantSqliteStore;
import dev.tidemark.store.sqlite.fixture.SqliteStoreUsingInternal;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Proves every boundary rule can fail: each is run against a fixture (test-only classes in the
 * packages the rule guards) that breaks it, and must report the violation under the rule's name.
 */
class RulesCatchViolationsTest {

    private static void assertViolated(ArchRule rule, Class<?>... fixture) {
        JavaClasses classes = new ClassFileImporter().importClasses(fixture);
        EvaluationResult result = rule.evaluate(classes);
        assertThat(result.hasViolation()).as("%s must be violated by %s", rule.getDescription(), classes).isTrue();
        assertThat(result.getFailureReport().toString()).contains(rule.getDescription());
    }

    private static void assertHeld(ArchRule rule, Class<?>... fixture) {
        EvaluationResult result = rule.evaluate(new ClassFileImporter().importClasses(fixture));
        assertThat(result.hasViolation()).as(result.getFailureReport().toString()).isFalse();
    }

    @Test
    @DisplayName("a store plugin that uses dev.tidemark.client.internal breaks the plugin rule")
    void storeUsingClientInternals() {
        assertViolated(TidemarkRules.STORE_PLUGINS_USE_ONLY_SPI_AND_PROTOCOL, SqliteStoreUsingInternal.class);
        assertHeld(TidemarkRules.STORE_PLUGINS_USE_ONLY_SPI_AND_PROTOCOL, CompliantSqliteStore.class);
    }

    @Test
    @DisplayName("server code that uses picocli breaks the library rule")
    void serverUsingPicocli() {
        assertViolated(TidemarkRules.SERVER_IS_A_LIBRARY, ServerUsingPicocli.class);
        assertHeld(TidemarkRules.SERVER_IS_A_LIBRARY, ServerUsingStore.class);
    }

    @Test
    @DisplayName("protocol code that uses the server breaks the protocol rule")
    void protocolUsingServer() {
        assertViolated(TidemarkRules.PROTOCOL_DEPENDS_ON_NO_OTHER_MODULE, ProtocolUsingServer.class);
    }

    @Test
    @DisplayName("recovery code that uses the client breaks the recovery rule")
    void recoveryUsingClient() {
        assertViolated(TidemarkRules.RECOVERY_DEPENDS_ONLY_ON_PROTOCOL, RecoveryUsingClient.class);
    }

    @Test
    @DisplayName("client code that uses the server breaks the client rule")
    void clientUsingServer() {
        assertViolated(TidemarkRules.CLIENT_MODULES_DO_NOT_DEPEND_ON_SERVER, ClientUsingServer.class);
    }

    @Test
    @DisplayName("server code that names a store breaks the server rule and the ServiceLoader rule")
    void serverUsingStore() {
        assertViolated(TidemarkRules.SERVER_DOES_NOT_DEPEND_ON_CLIENT_MODULES, ServerUsingStore.class);
        assertViolated(TidemarkRules.STORE_IMPLEMENTATIONS_ARE_FOUND_ONLY_BY_SERVICE_LOADER,
                ServerUsingStore.class, CompliantSqliteStore.class);
    }

    @Test
    @DisplayName("hub code that names the change-log implementation breaks the change-log rule")
    void hubUsingChangeLogImplementation() {
        assertViolated(TidemarkRules.CHANGE_LOG_REACHED_ONLY_THROUGH_SERVER_SPI, HubUsingChangeLogImplementation.class);
    }

    @Test
    @DisplayName("capture code that implements a hub type breaks the capture rule; implementing a feed type does not")
    void captureUsingHub() {
        assertViolated(TidemarkRules.CAPTURE_DOES_NOT_DEPEND_ON_HUB, CaptureImplementingHubType.class);
        assertHeld(TidemarkRules.CAPTURE_DOES_NOT_DEPEND_ON_HUB, CaptureImplementingFeedType.class);
    }

    @Test
    @DisplayName("an SPI type that exposes a third-party type breaks the SPI rule")
    void spiUsingJackson() {
        assertViolated(TidemarkRules.SPIS_NEED_ONLY_THE_JDK_AND_PROTOCOL, SpiUsingJackson.class);
    }

    @Test
    @DisplayName("package cycles between areas, inside the server and inside the client are reported")
    void cycles() {
        assertViolated(TidemarkRules.NO_CYCLES_BETWEEN_AREAS, AreaA.class, AreaB.class);
        assertViolated(TidemarkRules.NO_CYCLES_INSIDE_THE_SERVER, ServerA.class, ServerB.class);
        assertViolated(TidemarkRules.NO_CYCLES_INSIDE_THE_CLIENT, ClientA.class, ClientB.class);
    }

    @Test
    @DisplayName("an API <-> internal cycle in the client is reported; the old rule, blind to the API package, missed it")
    void apiInternalCycle() {
        assertViolated(TidemarkRules.NO_CYCLES_INSIDE_THE_CLIENT, PlantedApiSide.class, PlantedInternalSide.class);
        assertHeld(slices().matching("dev.tidemark.client.(*)..").should().beFreeOfCycles(),
                PlantedApiSide.class, PlantedInternalSide.class);
        assertHeld(TidemarkRules.NO_CYCLES_INSIDE_THE_CLIENT, PlantedApiSide.class);
    }

    @Test
    @DisplayName("a gauge built without strongReference(true), or the registry's weak shortcut, breaks the gauge rule")
    void weakGauges() {
        assertViolated(TidemarkRules.GAUGES_HOLD_THEIR_STATE_STRONGLY, ServerWithWeakGauge.class);
        assertViolated(TidemarkRules.GAUGES_HOLD_THEIR_STATE_STRONGLY, ServerWithWeakRegistryGauge.class);
        assertHeld(TidemarkRules.GAUGES_HOLD_THEIR_STATE_STRONGLY, ServerWithStrongGauge.class);
    }

    @Test
    @DisplayName("every rule has a fixture that breaks it")
    void everyRuleIsCovered() {
        assertThat(TidemarkRules.ALL).hasSize(14);
    }
}
