package dev.tidemark.client.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings checked against a store's declarations: the one place names, types, defaults and secrecy live. */
class DeclaredSettingsTest {

    private static final List<StoreSetting> DECLARED = List.of(
            StoreSetting.required("path", StoreSetting.Type.PATH, "the file"),
            StoreSetting.optional("poolSize", StoreSetting.Type.INTEGER, "4", "connections"),
            StoreSetting.optional("durability", StoreSetting.Type.CHOICE, "full", "how hard").withChoices("full", "normal"),
            StoreSetting.optional("password", StoreSetting.Type.INTEGER, null, "a numeric secret").asSecret());

    @Test
    void acceptsDeclaredSettingsOfTheirTypes() {
        StoreSettings settings = StoreSettings.declared("s", Map.of("path", "a.db", "poolSize", "8", "durability", "NORMAL"),
                DECLARED);

        assertThat(settings.values()).containsEntry("poolSize", "8");
    }

    @Test
    void namesEveryProblemAtOnceAndNeverShowsASecret() {
        assertThatThrownBy(() -> StoreSettings.declared("s",
                Map.of("poolSize", "many", "durability", "off", "password", "hunter2"), DECLARED))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INVALID_CONFIG))
                .hasMessageContaining("setting 'path' is required")
                .hasMessageContaining("setting 'poolSize' is 'many'; expected a whole number")
                .hasMessageContaining("setting 'durability' is 'off'; expected one of full, normal")
                .hasMessageContaining("setting 'password' is (secret)")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void rejectsUndeclaredKeysListingTheKnownOnes() {
        assertThatThrownBy(() -> StoreSettings.declared("s", Map.of("path", "a.db", "pth", "b.db"), DECLARED))
                .hasMessage("store 's': unknown setting pth; known settings: durability, password, path, poolSize");
    }

    @Test
    void helpLinesComeFromTheDeclarations() {
        assertThat(DECLARED.stream().map(StoreSetting::helpLine).toList()).containsExactly(
                "path (path, required): the file",
                "poolSize (integer, default 4): connections",
                "durability (full|normal, default full): how hard",
                "password (integer, optional, secret): a numeric secret");
    }
}
