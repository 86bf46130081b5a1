package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LsnTest {

    @Test
    void parsesAndPrintsPostgresForm() {
        Lsn lsn = Lsn.parse("16/b374d848");
        assertThat(lsn.value()).isEqualTo(0x16_B374_D848L);
        assertThat(lsn).hasToString("16/B374D848");
        assertThat(Lsn.parse("0/1715F70")).hasToString("0/1715F70");
    }

    @Test
    void zeroIsNothingApplied() {
        assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.ZERO);
        assertThat(Lsn.ZERO).hasToString("0/0");
    }

    @Test
    void comparesUnsigned() {
        Lsn high = Lsn.parse("FFFFFFFF/FFFFFFFF");
        assertThat(high).isEqualTo(Lsn.MAX);
        assertThat(high.value()).isNegative();
        assertThat(high.isAfter(Lsn.parse("7FFFFFFF/FFFFFFFF"))).isTrue();
        assertThat(Lsn.parse("1/0").isAfter(Lsn.parse("0/FFFFFFFF"))).isTrue();
        assertThat(Lsn.max(Lsn.ZERO, high)).isEqualTo(high);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "0", "0/", "/0", "0//0", "123456789/0", "0/123456789", "g/0", "0/-1",
            "+1/0", " 0/0", "0/0 ", "0x1/0", "1/2/3", "０/0", "٣/0"})
    void rejectsBadTextNamingIt(String text) {
        assertThatThrownBy(() -> Lsn.parse(text))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_LSN);
                    assertThat(e.getMessage()).contains("'" + text + "'");
                });
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Lsn.parse(null)).isInstanceOf(ProtocolException.class);
    }
}
