package dev.tidemark.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Checks every rule of {@link TidemarkRules} against the main classes of every module. */
@AnalyzeClasses(packages = "dev.tidemark",
        importOptions = {ImportOption.DoNotIncludeTests.class, DoNotIncludeTestJars.class})
class ModuleBoundariesTest {

    @ArchTest
    static final ArchRule protocolDependsOnNoOtherModule = TidemarkRules.PROTOCOL_DEPENDS_ON_NO_OTHER_MODULE;

    @ArchTest
    static final ArchRule recoveryDependsOnlyOnProtocol = TidemarkRules.RECOVERY_DEPENDS_ONLY_ON_PROTOCOL;

    @ArchTest
    static final ArchRule clientModulesDoNotDependOnServer = TidemarkRules.CLIENT_MODULES_DO_NOT_DEPEND_ON_SERVER;

    @ArchTest
    static final ArchRule serverDoesNotDependOnClientModules = TidemarkRules.SERVER_DOES_NOT_DEPEND_ON_CLIENT_MODULES;

    @ArchTest
    static final ArchRule serverIsALibrary = TidemarkRules.SERVER_IS_A_LIBRARY;

    @ArchTest
    static final ArchRule storePluginsUseOnlySpiAndProtocol = TidemarkRules.STORE_PLUGINS_USE_ONLY_SPI_AND_PROTOCOL;

    @ArchTest
    static final ArchRule storeImplementationsAreFoundOnlyByServiceLoader =
            TidemarkRules.STORE_IMPLEMENTATIONS_ARE_FOUND_ONLY_BY_SERVICE_LOADER;

    @ArchTest
    static final ArchRule changeLogReachedOnlyThroughServerSpi = TidemarkRules.CHANGE_LOG_REACHED_ONLY_THROUGH_SERVER_SPI;

    @ArchTest
    static final ArchRule captureDoesNotDependOnHub = TidemarkRules.CAPTURE_DOES_NOT_DEPEND_ON_HUB;

    @ArchTest
    static final ArchRule spisNeedOnlyTheJdkAndProtocol = TidemarkRules.SPIS_NEED_ONLY_THE_JDK_AND_PROTOCOL;

    @ArchTest
    static final ArchRule noCyclesBetweenAreas = TidemarkRules.NO_CYCLES_BETWEEN_AREAS;

    @ArchTest
    static final ArchRule noCyclesInsideTheServer = TidemarkRules.NO_CYCLES_INSIDE_THE_SERVER;

    @ArchTest
    static final ArchRule noCyclesInsideTheClient = TidemarkRules.NO_CYCLES_INSIDE_THE_CLIENT;

    @ArchTest
    static final ArchRule gaugesHoldTheirStateStrongly = TidemarkRules.GAUGES_HOLD_THEIR_STATE_STRONGLY;
}
