package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EntityDataTest {

    @Test
    void keepsAnObjectTextAsGiven() {
        String text = " {\"b\": 1, \"a\": [true, null]} ";

        assertThat(EntityData.parse(text).text()).isEqualTo(text);
        assertThat(EntityData.parse(text)).isEqualTo(EntityData.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "1", "null", "{", "{\"a\":1}}", "{\"a\":}", "{'a':1}"})
    void refusesWhatIsNotOneJsonObject(String text) {
        assertThatThrownBy(() -> EntityData.parse(text))
                .isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.INVALID_FIELD))
                .hasMessageContaining("not one JSON object");
    }

    @Test
    void refusesNestingDeeperThanTheProtocolAllows() {
        String deep = "{\"a\":".repeat(Json.MAX_NESTING_DEPTH + 1) + "1" + "}".repeat(Json.MAX_NESTING_DEPTH + 1);

        assertThatThrownBy(() -> EntityData.parse(deep)).isInstanceOf(ProtocolException.class);
    }
}
