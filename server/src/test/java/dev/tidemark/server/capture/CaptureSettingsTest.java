package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Capture settings")
class CaptureSettingsTest {

    @Test
    @DisplayName("have these defaults")
    void defaults() {
        CaptureSettings settings = CaptureSettings.builder().tables(List.of("orders")).build();
        assertThat(settings).isEqualTo(new CaptureSettings("tidemark", "tidemark", List.of("public.orders"), List.of(),
                true, true, Duration.ofSeconds(10), 20_000, 5_000, 8L << 20, 40_000, Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(30)));
    }

    @Test
    @DisplayName("map every builder setting, and toBuilder copies them all")
    void mapping() {
        CaptureSettings settings = CaptureSettings.builder().slotName("s1").publicationName("p1")
                .tables(List.of("a", "sales.b", "a")).schemas(List.of("inventory")).createSlot(false)
                .managePublication(false).heartbeatInterval(Duration.ofSeconds(3)).maxBatchChanges(100)
                .chunkChanges(10).chunkBytes(4096).queueCapacity(2).statusInterval(Duration.ofSeconds(4))
                .restartBackoff(Duration.ofMillis(5)).maxRestartBackoff(Duration.ofMillis(50)).build();
        assertThat(settings).isEqualTo(new CaptureSettings("s1", "p1", List.of("public.a", "sales.b"), List.of("inventory"),
                false, false, Duration.ofSeconds(3), 100, 10, 4096, 2, Duration.ofSeconds(4), Duration.ofMillis(5),
                Duration.ofMillis(50)));
        assertThat(settings.toBuilder().build()).isEqualTo(settings);
    }

    @Test
    @DisplayName("reject what cannot work, saying why")
    void rejects() {
        assertThatThrownBy(() -> CaptureSettings.builder().build()).hasMessageContaining("name the tables");
        assertThatThrownBy(() -> CaptureSettings.builder().tables(List.of("Orders")).build()).hasMessageContaining("Orders");
        assertThatThrownBy(() -> CaptureSettings.builder().schemas(List.of("tidemark")).build()).hasMessageContaining("change log");
        assertThatThrownBy(() -> CaptureSettings.builder().tables(List.of("tidemark.change_history")).build())
                .hasMessageContaining("change log");
        assertThatThrownBy(() -> CaptureSettings.builder().tables(List.of("a")).slotName("Bad-Slot").build())
                .isInstanceOf(CaptureException.class).hasMessageContaining("slot name");
        assertThatThrownBy(() -> CaptureSettings.builder().tables(List.of("a")).chunkChanges(30_000).build())
                .hasMessageContaining("chunkChanges");
        assertThatThrownBy(() -> CaptureSettings.builder().tables(List.of("a")).heartbeatInterval(Duration.ZERO).build())
                .hasMessageContaining("heartbeatInterval");
        assertThat(CaptureSettings.builder().managePublication(false).build().tables()).isEmpty();
    }
}
