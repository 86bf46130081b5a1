package dev.tidemark.store.sqlite;

import dev.tidemark.store.tck.SyncStoreConformanceKit;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The whole kit against {@link BaselineStore} with the flaw named by the JUnit configuration
 * parameter {@value #FLAW} (none when absent). Run through the JUnit Platform Launcher by
 * {@link KitRejectsEveryFlawedStoreTest}; its name keeps Surefire from running it on its own.
 */
@ExtendWith(FlawedStoreKit.FlawParameter.class)
class FlawedStoreKit extends SyncStoreConformanceKit {

    static final String FLAW = "tidemark.flaw";

    private final Flaw flaw;

    FlawedStoreKit(Flaw flaw) {
        this.flaw = flaw;
    }

    @Override
    protected String storeName() {
        return FlawedStoreProvider.NAME;
    }

    @Override
    protected Map<String, String> newStoreConfig(Path directory) {
        return Map.of("path", directory.resolve("store.db").toString(), "flaw", flaw.name());
    }

    @Override
    protected boolean markWrittenByNewerVersion(Map<String, String> config) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + config.get("path"));
                Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA user_version = 1000");
        }
        return true;
    }

    /** Gives the kit's constructor the flaw from the configuration parameter. */
    static final class FlawParameter implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == Flaw.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getConfigurationParameter(FLAW).map(Flaw::valueOf).orElse(Flaw.NONE);
        }
    }
}
