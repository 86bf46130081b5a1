package dev.tidemark.examples.memorystore;

import java.util.Map;

/**
 * The kit with the journal given by both {@code newStoreConfig} and {@code testSettings}. Run only by
 * {@link KitTestSettingsTest}; its name keeps Surefire from running it on its own.
 */
class JournalTwiceKit extends UndeclaredTestSettingKit {

    @Override
    protected Map<String, String> testSettings() {
        return Map.of("journal", "elsewhere.journal");
    }
}
