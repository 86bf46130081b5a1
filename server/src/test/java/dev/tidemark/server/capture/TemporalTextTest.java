package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ISO-8601 from PostgreSQL date-times")
class TemporalTextTest {

    @Test
    @DisplayName("keeps local timestamps, marks expanded and BC years as ISO does")
    void timestamps() {
        assertThat(TemporalText.timestamp("2024-05-06 07:08:09")).isEqualTo("2024-05-06T07:08:09");
        assertThat(TemporalText.timestamp("12024-05-06 07:08:09")).isEqualTo("+12024-05-06T07:08:09");
        assertThat(TemporalText.timestamp("0044-03-15 12:00:00 BC")).isEqualTo("-0043-03-15T12:00:00");
        assertThat(TemporalText.timestamp("0001-01-01 00:00:00 BC")).isEqualTo("0000-01-01T00:00:00");
        assertThat(TemporalText.timestamp("-infinity")).isEqualTo("-infinity");
    }

    @Test
    @DisplayName("turns timestamps with time zone into UTC instants, whatever the offset form")
    void instants() {
        assertThat(TemporalText.timestamptz("2024-05-06 07:08:09.123456+00")).isEqualTo("2024-05-06T07:08:09.123456Z");
        assertThat(TemporalText.timestamptz("2024-01-01 00:30:00+05:30")).isEqualTo("2023-12-31T19:00:00Z");
        assertThat(TemporalText.timestamptz("1850-01-01 00:00:00+00:09:21")).isEqualTo("1849-12-31T23:50:39Z");
        assertThat(TemporalText.timestamptz("infinity")).isEqualTo("infinity");
    }

    @Test
    @DisplayName("the fast path agrees with java.time on random instants, fractions and offsets")
    void fastPathAgrees() {
        Random random = new Random(42);
        DateTimeFormatter local = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");
        for (int i = 0; i < 20_000; i++) {
            LocalDateTime time = LocalDateTime.ofEpochSecond(random.nextLong() % 200_000_000_000L + 50_000_000_000L, 0,
                    ZoneOffset.UTC);
            if (time.getYear() < 1 || time.getYear() > 9999) {
                continue;
            }
            StringBuilder text = new StringBuilder(local.format(time));
            int digits = random.nextInt(7);
            if (digits > 0) {
                text.append('.');
                for (int d = 0; d < digits; d++) {
                    text.append(random.nextInt(10));
                }
            }
            int offsetMinutes = random.nextInt(2 * 14 * 60 + 1) - 14 * 60;
            text.append(offsetMinutes < 0 ? '-' : '+').append(String.format("%02d", Math.abs(offsetMinutes) / 60));
            if (offsetMinutes % 60 != 0) {
                text.append(':').append(String.format("%02d", Math.abs(offsetMinutes) % 60));
            }
            String input = text.toString();
            String fast = FastInstant.timestamptz(input);
            String slow = TemporalText.slowTimestamptz(input);
            if (fast != null) {
                assertThat(fast).as(input).isEqualTo(slow);
            }
        }
        assertThat(FastInstant.timestamptz("2024-05-06 07:08:09.5+02")).isEqualTo("2024-05-06T05:08:09.500Z");
        assertThat(FastInstant.timestamptz("0044-03-15 12:00:00+00 BC")).isNull();
        assertThat(Instant.parse(FastInstant.timestamptz("2024-12-31 23:59:59.999999-01")))
                .isEqualTo(Instant.parse("2025-01-01T00:59:59.999999Z"));
    }
}
