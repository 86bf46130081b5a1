package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;

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
}
