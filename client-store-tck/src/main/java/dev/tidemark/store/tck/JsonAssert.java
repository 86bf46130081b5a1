package dev.tidemark.store.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.Optional;

/**
 * Compares entity JSON by meaning: member order, white space and the spelling of numbers
 * ({@code 1000} or {@code 1E+3}) do not matter; every member, every value and every digit does.
 */
final class JsonAssert {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private JsonAssert() {}

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("the store returned text that is not JSON: " + json, e);
        }
    }

    /** Asserts that the stored entity is present and means the same as {@code expected}. */
    static void assertEntity(Optional<String> actual, String expected) {
        assertThat(actual).as("entity").isPresent();
        assertSameJson(actual.get(), expected);
    }

    static void assertSameJson(String actual, String expected) {
        JsonNode actualNode = parse(actual);
        JsonNode expectedNode = parse(expected);
        assertThat(actualNode.isObject()).as("stored entity %s is a JSON object", actual).isTrue();
        assertThat(actualNode.equals(SAME_VALUE, expectedNode))
                .as("stored entity %s means the same as %s", actual, expected)
                .isTrue();
    }
}
