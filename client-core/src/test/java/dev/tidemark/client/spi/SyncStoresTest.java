package dev.tidemark.client.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncStoresTest {

    private static ClassLoader registry(String name) {
        URL root = SyncStoresTest.class.getResource("/registries/" + name + "/");
        assertThat(root).as("test registry " + name).isNotNull();
        return new URLClassLoader(new URL[] {root}, SyncStoresTest.class.getClassLoader());
    }

    @Test
    void listsTheAvailableNamesSorted() {
        assertThat(SyncStores.available(registry("good"))).containsExactly("alpha", "beta-2");
    }

    @Test
    void opensTheProviderWithTheGivenName() {
        assertThatThrownBy(() -> SyncStores.open("beta-2", Map.of("k", "v"), registry("good")))
                .isInstanceOf(SyncStoreException.class)
                .hasMessage("Beta opened with {k=v}");
    }

    @Test
    void aSettingWithoutValueIsRejectedBeforeTheProviderRuns() {
        java.util.HashMap<String, String> config = new java.util.HashMap<>();
        config.put("path", null);
        assertThatThrownBy(() -> SyncStores.open("alpha", config, registry("good")))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INVALID_CONFIG))
                .hasMessage("store 'alpha': setting 'path' has no value");
    }

    @Test
    void anUnknownNameFailsListingTheAvailableOnes() {
        assertThatThrownBy(() -> SyncStores.provider("sqlit", registry("good")))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.UNKNOWN_STORE))
                .hasMessageContaining("no store named 'sqlit'")
                .hasMessageContaining("available: alpha, beta-2");
    }

    @Test
    void anInvalidRequestedNameIsCalledSo() {
        assertThatThrownBy(() -> SyncStores.provider("SQLite", registry("good")))
                .hasMessageContaining("'SQLite' is not a store name")
                .hasMessageContaining("available: alpha, beta-2");
    }

    @Test
    void withNoProvidersTheMessageSaysNone() {
        assertThatThrownBy(() -> SyncStores.provider("sqlite", SyncStoresTest.class.getClassLoader()))
                .hasMessageContaining("available: none");
    }

    @Test
    void twoProvidersClaimingOneNameFailLoudly() {
        assertThatThrownBy(() -> SyncStores.available(registry("duplicate")))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INVALID_PROVIDER))
                .hasMessageContaining("TestProviders$Alpha and dev.tidemark.client.spi.TestProviders$AlphaAgain")
                .hasMessageContaining("claim the name 'alpha'");
    }

    @Test
    void aProviderWithAnInvalidNameFailsLoudly() {
        assertThatThrownBy(() -> SyncStores.provider("alpha", registry("badname")))
                .isInstanceOfSatisfying(SyncStoreException.class,
                        e -> assertThat(e.code()).isEqualTo(StoreErrorCode.INVALID_PROVIDER))
                .hasMessageContaining("TestProviders$BadName has the invalid name 'Bad Name'");
    }
}
