package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonObjectTextTest {

    private static final JsonFactory JACKSON = new JsonFactory();

    @ParameterizedTest
    @ValueSource(strings = {
        "{}", " { } ", "\n{\"a\":1}\r\n", "{\"a\":null,\"b\":true,\"c\":false}",
        "{\"n\":[-0,0.5,1e5,1E-5,-12.75e+3,123456789012345678901234567890.000001]}",
        "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83C\\uDF0A\",\"e\":\"\",\"u\":\"東京 \uD83C\uDF0A\"}",
        "{\"deep\":{\"a\":[{\"b\":[[],{}]}]}}", "{\"\":\"empty key\"}"})
    void acceptsObjects(String text) {
        assertThat(JsonObjectText.isObject(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "[]", "[1]", "\"text\"", "42", "null", "true", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
        "{a:1}", "{'a':1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":+1}", "{\"a\":1e}", "{\"a\":-}",
        "{\"a\":NaN}", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":\"tab\there\"}",
        "{\"a\":\"unterminated}", "{} {}", "{}x", "{\"a\":[1,]}", "{\"a\":[1 2]}", "{\"a\" 1}", "{,}",
        "{\"a\":1 /* comment */}", "\u00a0{}"})
    void refusesEverythingElse(String text) {
        assertThat(JsonObjectText.isObject(text)).isFalse();
    }

    @Test
    void refusesNestingDeeperThanTheProtocolAllows() {
        String deep = "{\"a\":".repeat(JsonObjectText.MAX_DEPTH) + "1" + "}".repeat(JsonObjectText.MAX_DEPTH);
        String deeper = "{\"a\":".repeat(JsonObjectText.MAX_DEPTH + 1) + "1" + "}".repeat(JsonObjectText.MAX_DEPTH + 1);
        assertThat(JsonObjectText.isObject(deep)).isTrue();
        assertThat(JsonObjectText.isObject(deeper)).isFalse();
    }

    @Test
    void agreesWithJacksonOnTenThousandMutatedDocuments() throws IOException {
        List<String> seeds = List.of(
                "{\"id\":17,\"name\":\"Grüße\",\"tags\":[\"a\",\"b\"],\"price\":-12.50e+2,\"ok\":true,\"none\":null}",
                "{\"n\":{\"x\":[1,{\"y\":\"\\u0041\\n\"}],\"z\":0.0},\"e\":{}}");
        String alphabet = "{}[]\":,.-+eE0123456789abtfnulr\\ \t\n/x";
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            StringBuilder text = new StringBuilder(seeds.get(i % seeds.size()));
            for (int edits = 1 + random.nextInt(2); edits > 0; edits--) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(3)) {
                    case 0 -> text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> text.deleteCharAt(at);
                    default -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String mutated = text.toString();
            assertThat(JsonObjectText.isObject(mutated)).as(mutated).isEqualTo(jacksonSaysObject(mutated));
        }
    }

    private static boolean jacksonSaysObject(String text) throws IOException {
        try (JsonParser parser = JACKSON.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return false;
        }
    }
}
