package dev.tidemark.server.capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;

/**
 * Renders PostgreSQL text-format values as JSON, producing the protocol's canonical text (compact,
 * numbers exact, as {@code dev.tidemark.protocol.Json} writes them), so checksums agree everywhere.
 *
 * <p>Choices: integers are JSON numbers; numeric and floats are exact JSON numbers (as Java's
 * {@code BigDecimal} prints them, so {@code 0.0000001} becomes {@code 1E-7}), with {@code NaN},
 * {@code Infinity}, {@code -Infinity}, the floats' negative zero {@code -0} and numbers over 1000
 * characters as strings; booleans are
 * JSON booleans; json/jsonb are embedded as JSON (duplicate keys of {@code json} keep the last value,
 * as jsonb does; values nested deeper than 48 levels become strings); date-times are ISO-8601
 * strings (see {@link TemporalText}); bytea is PostgreSQL's hex form {@code \x0a0b} as a string; arrays are JSON
 * arrays; everything else is its text form as a string.
 */
final class ValueRenderer {

    /** Deepest json value embedded as JSON; the protocol allows 64 levels for a whole message. */
    static final int MAX_JSON_DEPTH = 48;
    /** Longest number written as a JSON number; the protocol's parser accepts no longer ones. */
    static final int MAX_NUMBER_LENGTH = 1000;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final JsonMapper mapper = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
                    .build())
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** A generator writing canonical JSON into {@code out}. */
    JsonGenerator generator(StringWriter out) {
        try {
            return mapper.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one non-null value. */
    void write(JsonGenerator json, PgType type, String text) throws IOException {
        switch (type.kind()) {
            case INTEGER -> json.writeNumber(text);
            case DECIMAL -> writeDecimal(json, text);
            case BOOLEAN -> json.writeBoolean(bool(text));
            case JSON -> writeJson(json, text);
            case TIMESTAMP -> json.writeString(TemporalText.timestamp(text));
            case TIMESTAMPTZ -> json.writeString(TemporalText.timestamptz(text));
            case TIMETZ -> json.writeString(TemporalText.timetz(text));
            case BYTEA -> json.writeString(bytea(text));
            case ARRAY -> writeArray(json, type, text);
            case TEXT -> json.writeString(text);
        }
    }

    /**
     * The value as entity-id text: what {@link #write} would produce, unquoted when that is a JSON
     * string.
     */
    String keyText(PgType type, String text) {
        return switch (type.kind()) {
            case INTEGER, TEXT -> text;
            case DECIMAL -> isNumber(text) ? new BigDecimal(text).toString() : text;
            case BOOLEAN -> Boolean.toString(bool(text));
            case TIMESTAMP -> TemporalText.timestamp(text);
            case TIMESTAMPTZ -> TemporalText.timestamptz(text);
            case TIMETZ -> TemporalText.timetz(text);
            case BYTEA -> bytea(text);
            case JSON, ARRAY -> {
                StringWriter out = new StringWriter();
                try (JsonGenerator json = generator(out)) {
                    write(json, type, text);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                yield out.toString();
            }
        };
    }

    private static boolean bool(String text) {
        return text.equals("t") || text.equals("true");
    }

    /**
     * Whether the text is written as a JSON number. Not: {@code NaN} and the infinities (JSON has no
     * such numbers), negative zero of the float types ({@code -0}: a JSON number would lose its sign,
     * since exact decimal numbers have none), and numbers longer than the protocol accepts.
     */
    private static boolean isNumber(String text) {
        return !(text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity") || isNegativeZero(text))
                && text.length() <= MAX_NUMBER_LENGTH;
    }

    private static boolean isNegativeZero(String text) {
        if (text.isEmpty() || text.charAt(0) != '-') {
            return false;
        }
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 'e' || c == 'E') {
                break;
            }
            if (c != '0' && c != '.') {
                return false;
            }
        }
        return true;
    }

    private static void writeDecimal(JsonGenerator json, String text) throws IOException {
        if (isNumber(text)) {
            json.writeNumber(new BigDecimal(text));
        } else {
            json.writeString(text);
        }
    }

    private void writeJson(JsonGenerator json, String text) throws IOException {
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (IOException e) {
            // Deeper than the protocol can carry, or not JSON at all: keep the text.
            json.writeString(text);
            return;
        }
        json.writeTree(node);
    }

    private void writeArray(JsonGenerator json, PgType type, String text) throws IOException {
        List<Object> elements;
        try {
            elements = ArrayLiteral.parse(text, type.delimiter());
        } catch (IllegalArgumentException e) {
            json.writeString(text);
            return;
        }
        writeElements(json, type.element(), elements);
    }

    private void writeElements(JsonGenerator json, PgType element, List<Object> elements) throws IOException {
        json.writeStartArray();
        for (Object value : elements) {
            if (value == null) {
                json.writeNull();
            } else if (value instanceof List<?> nested) {
                @SuppressWarnings("unchecked")
                List<Object> inner = (List<Object>) nested;
                writeElements(json, element, inner);
            } else {
                write(json, element, (String) value);
            }
        }
        json.writeEndArray();
    }

    /** bytea in hex form; the escape form ({@code bytea_output=escape}) is converted to hex. */
    static String bytea(String text) {
        if (text.startsWith("\\x")) {
            return text;
        }
        StringBuilder hex = new StringBuilder(2 + text.length() * 2).append("\\x");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int b;
            if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '\\') {
                b = '\\';
                i++;
            } else if (c == '\\' && i + 3 < text.length()) {
                b = Integer.parseInt(text.substring(i + 1, i + 4), 8);
                i += 3;
            } else {
                b = c & 0xFF;
            }
            hex.append(HEX[b >> 4]).append(HEX[b & 0xF]);
        }
        return hex.toString();
    }
}
