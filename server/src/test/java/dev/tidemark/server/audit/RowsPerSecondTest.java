package dev.tidemark.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The audit's row pacer")
class RowsPerSecondTest {

    @Test
    @DisplayName("holds the average to the rate from the first chunk on, and does not wait when behind")
    void holdsTheRate() throws InterruptedException {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        List<Long> waits = new ArrayList<>();
        RowsPerSecond pacer = new RowsPerSecond(1000, now::get, nanos -> {
            waits.add(nanos);
            now.addAndGet(nanos);
        });
        pacer.pace(500);
        pacer.pace(500);
        now.addAndGet(3_000_000_000L);
        pacer.pace(1000);
        pacer.pace(2500);
        assertThat(waits).containsExactly(500_000_000L, 500_000_000L, 500_000_000L);
        assertThat(now.get()).isEqualTo(5_000_000_000L + 4_500_000_000L);
    }

    @Test
    @DisplayName("a rate that is not above 0 is refused")
    void badRate() {
        assertThatThrownBy(() -> RowPacer.perSecond(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("above 0");
    }
}
