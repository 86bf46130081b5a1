package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tidemark.protocol.Json;
import java.io.IOException;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Rendering PostgreSQL values as JSON")
class ValueRendererTest {

    private final ValueRenderer renderer = new ValueRenderer();

    private String render(PgType type, String text) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = renderer.generator(out)) {
            json.writeStartObject();
            json.writeFieldName("v");
            renderer.write(json, type, text);
            json.writeEndObject();
        }
        return out.toString();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "INTEGER     | 42                         | 42",
        "INTEGER     | -9223372036854775808       | -9223372036854775808",
        "DECIMAL     | 12345678901234567890.123456789 | 12345678901234567890.123456789",
        "DECIMAL     | 1.50                       | 1.50",
        "DECIMAL     | 0.0000001                  | 1E-7",
        "DECIMAL     | 1e+20                      | 1E+20",
        "DECIMAL     | NaN                        | ~\"NaN\"~",
        "DECIMAL     | -Infinity                  | ~\"-Infinity\"~",
        "DECIMAL     | -0                         | ~\"-0\"~",
        "DECIMAL     | 0                          | 0",
        "DECIMAL     | -0.5                       | -0.5",
        "DECIMAL     | -1e-45                     | -1E-45",
        "BOOLEAN     | t                          | true",
        "BOOLEAN     | f                          | false",
        "TEXT        | ~a \"quoted\" \\ line\nnext é 😀~ | ~\"a \\\"quoted\\\" \\\\ line\\nnext é 😀\"~",
        "JSON        | ~{\"b\": [1, 2.50, null], \"a\": {\"c\": true}}~ | ~{\"b\":[1,2.50,null],\"a\":{\"c\":true}}~",
        "JSON        | ~{\"k\": 1, \"k\": 2}~      | ~{\"k\":2}~",
        "JSON        | ~\"just text\"~            | ~\"just text\"~",
        "TIMESTAMP   | 2024-05-06 07:08:09.123456 | ~\"2024-05-06T07:08:09.123456\"~",
        "TIMESTAMP   | infinity                   | ~\"infinity\"~",
        "TIMESTAMPTZ | 2024-05-06 07:08:09.5+02   | ~\"2024-05-06T05:08:09.500Z\"~",
        "TIMESTAMPTZ | 2024-05-06 07:08:09-03:30  | ~\"2024-05-06T10:38:09Z\"~",
        "TIMETZ      | 07:08:09+02                | ~\"07:08:09+02:00\"~",
        "BYTEA       | \\x0a0bff                  | ~\"\\\\x0a0bff\"~",
    })
    @DisplayName("renders each kind as the protocol's canonical JSON")
    void renders(PgType.Kind kind, String text, String expected) throws IOException {
        String json = render(scalar(kind), text);
        assertThat(json).isEqualTo("{\"v\":" + expected + "}");
        assertThat(Json.canonicalObject(json)).as("canonical").isEqualTo(json);
    }

    @ParameterizedTest(name = "{1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "INTEGER | {1,2,NULL,4}                     | [1,2,null,4]",
        "INTEGER | {{1,2},{3,4}}                    | [[1,2],[3,4]]",
        "INTEGER | [0:1]={7,8}                      | [7,8]",
        "INTEGER | {}                               | []",
        "TEXT    | ~{\"a b\",\"c\\\"d\",NULL,\"NULL\",plain}~ | ~[\"a b\",\"c\\\"d\",null,\"NULL\",\"plain\"]~",
        "DECIMAL | {1.5,NaN}                        | ~[1.5,\"NaN\"]~",
        "DECIMAL | {-0,0,-0.25}                     | ~[\"-0\",0,-0.25]~",
        "JSON    | ~{\"{\\\"a\\\": 1}\",\"[2]\"}~     | ~[{\"a\":1},[2]]~",
        "BOOLEAN | {t,f}                            | [true,false]",
    })
    @DisplayName("renders arrays as JSON arrays of their elements")
    void arrays(PgType.Kind element, String text, String expected) throws IOException {
        String json = render(PgType.arrayOf(scalar(element), ','), text);
        assertThat(json).isEqualTo("{\"v\":" + expected + "}");
        assertThat(Json.canonicalObject(json)).isEqualTo(json);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "INTEGER     | 42                   | 42",
        "TEXT        | abc                  | abc",
        "DECIMAL     | 1.50                 | 1.50",
        "DECIMAL     | -0                   | -0",
        "BOOLEAN     | t                    | true",
        "TIMESTAMPTZ | 2024-05-06 07:08:09+02 | 2024-05-06T05:08:09Z",
    })
    @DisplayName("renders key values as entity-id text")
    void keyText(PgType.Kind kind, String text, String expected) {
        assertThat(renderer.keyText(scalar(kind), text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\\x      | \\x",
        "abc      | \\x616263",
        "a\\\\b   | \\x615c62",
        "\\001\\377 | \\x01ff",
    })
    @DisplayName("converts bytea's escape form to the hex form")
    void byteaEscape(String text, String expected) {
        assertThat(ValueRenderer.bytea(text)).isEqualTo(expected);
    }

    private static PgType scalar(PgType.Kind kind) {
        return switch (kind) {
            case INTEGER -> PgType.INTEGER;
            case DECIMAL -> PgType.DECIMAL;
            case BOOLEAN -> PgType.BOOLEAN;
            case JSON -> PgType.JSON;
            case TIMESTAMP -> PgType.TIMESTAMP;
            case TIMESTAMPTZ -> PgType.TIMESTAMPTZ;
            case TIMETZ -> PgType.TIMETZ;
            case BYTEA -> PgType.BYTEA;
            case TEXT -> PgType.TEXT;
            case ARRAY -> throw new IllegalArgumentException("not a scalar");
        };
    }
}
