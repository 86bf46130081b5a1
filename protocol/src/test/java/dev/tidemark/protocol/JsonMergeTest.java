package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JsonMergeTest {

    @Test
    void absentMembersKeepTheirValueAndPresentOnesReplace() {
        assertThat(JsonMerge.merge("{\"a\":1,\"b\":\"x\",\"c\":true}", "{\"b\":\"y\",\"d\":2}"))
                .isEqualTo("{\"a\":1,\"b\":\"y\",\"c\":true,\"d\":2}");
    }

    @Test
    void aNullMemberBecomesNullAndStaysPresent() {
        assertThat(JsonMerge.merge("{\"a\":1,\"b\":2}", "{\"a\":null}")).isEqualTo("{\"a\":null,\"b\":2}");
    }

    @Test
    void nestedObjectsAreReplacedWhole() {
        assertThat(JsonMerge.merge("{\"n\":{\"x\":1,\"y\":2}}", "{\"n\":{\"y\":3}}")).isEqualTo("{\"n\":{\"y\":3}}");
    }

    @Test
    void numbersKeepEveryDigit() {
        assertThat(JsonMerge.merge("{\"big\":123456789012345678901234567890.000000000000000001}", "{}"))
                .isEqualTo("{\"big\":123456789012345678901234567890.000000000000000001}");
    }

    @Test
    void rejectsTextThatIsNotAnObject() {
        assertThatThrownBy(() -> JsonMerge.merge("{}", "[1]"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> JsonMerge.merge("{", "{}"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("not valid JSON");
    }
}
