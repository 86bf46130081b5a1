package dev.tidemark.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChaosSettingsTest {

    @Test
    @DisplayName("chaos.faults: all is every kind but those asked for by name; all,server-clock-skew is every kind")
    void allCombinesWithKindsAskedForByName() {
        assertThat(ChaosSettings.faults("all")).isNotEmpty().doesNotContain(Fault.SERVER_CLOCK_SKEW);
        assertThat(ChaosSettings.faults("")).isEqualTo(ChaosSettings.faults("all"));
        assertThat(ChaosSettings.faults("all,server-clock-skew")).containsExactlyInAnyOrder(Fault.values());
        assertThat(ChaosSettings.faults("client-kill, client-kill,proxy-reset"))
                .containsExactly(Fault.CLIENT_KILL, Fault.PROXY_RESET);
        assertThat(Arrays.stream(Fault.values()).filter(Fault::byNameOnly)).containsExactly(Fault.SERVER_CLOCK_SKEW);
    }

    @Test
    @DisplayName("an unknown fault kind is refused with the known names")
    void unknownKindIsRefused() {
        assertThatThrownBy(() -> ChaosSettings.faults("all,disk-on-fire"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown chaos.faults entry 'disk-on-fire'")
                .hasMessageContaining("server-clock-skew");
    }
}
