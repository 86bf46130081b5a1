package dev.tidemark.client.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StoreSettingsTest {

    enum Mode { FULL, NORMAL }

    private static final Set<String> KNOWN = Set.of("path", "mode", "size");

    @Test
    void readsValuesAndDefaults() {
        StoreSettings settings = StoreSettings.of("demo", Map.of("path", "/x", "mode", "Normal", "size", " 7 "), KNOWN);
        assertThat(settings.required("path")).isEqualTo("/x");
        assertThat(settings.choice("mode", Mode.class, Mode.FULL)).isEqualTo(Mode.NORMAL);
        assertThat(settings.intValue("size", 1, 1, 10)).isEqualTo(7);

        StoreSettings empty = StoreSettings.of("demo", Map.of(), KNOWN);
        assertThat(empty.choice("mode", Mode.class, Mode.FULL)).isEqualTo(Mode.FULL);
        assertThat(empty.intValue("size", 3, 1, 10)).isEqualTo(3);
        assertThat(empty.get("path", "d")).isEqualTo("d");
        assertThat(empty.optional("path")).isEmpty();
    }

    @Test
    void rejectsUnknownKeysNamingTheKnownOnes() {
        assertThatThrownBy(() -> StoreSettings.of("demo", Map.of("pth", "/x", "durabilty", "full"), KNOWN))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INVALID_CONFIG))
                .hasMessage("store 'demo': unknown settings durabilty, pth; known settings: mode, path, size");
    }

    @Test
    void rejectsMissingAndBadValues() {
        StoreSettings settings = StoreSettings.of("demo", Map.of("mode", "fast", "size", "11", "path", " "), KNOWN);
        assertThatThrownBy(() -> settings.required("path")).hasMessage("store 'demo': setting 'path' is required");
        assertThatThrownBy(() -> settings.choice("mode", Mode.class, Mode.FULL))
                .hasMessage("store 'demo': setting 'mode' is 'fast'; expected one of full, normal");
        assertThatThrownBy(() -> settings.intValue("size", 1, 1, 10))
                .hasMessage("store 'demo': setting 'size' is '11'; expected a whole number from 1 to 10");
    }

    @Test
    void rejectsNullValues() {
        Map<String, String> config = new HashMap<>();
        config.put("path", null);
        assertThatThrownBy(() -> StoreSettings.of("demo", config, KNOWN))
                .hasMessage("store 'demo': setting 'path' has no value");
    }

    @Test
    void neverPrintsValues() {
        assertThat(StoreSettings.of("demo", Map.of("path", "secret"), KNOWN).toString()).doesNotContain("secret");
    }
}
