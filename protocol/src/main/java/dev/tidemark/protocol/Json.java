package dev.tidemark.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;

/**
 * Canonical JSON text for entity data: compact, keys in their given order, numbers exactly as
 * written (no rounding through {@code double}). Both ends of the protocol produce data text this way,
 * so {@link Checksum}s computed on either end agree.
 */
public final class Json {

    /** Deepest nesting accepted in a message; deeper input is rejected, not recursed into. */
    public static final int MAX_NESTING_DEPTH = 64;

    static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    // Text written straight to UTF-8 (MessageCodec.encode to a stream) carries a character outside
                    // the BMP as its four bytes, as the text's own UTF-8 does, not as two escaped surrogates.
                    .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                    .build())
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {}

    /**
     * Returns the canonical text of a JSON object.
     *
     * @throws ProtocolException {@link ErrorCode#INVALID_FIELD} when the text is not one JSON object
     */
    public static String canonicalObject(String jsonObjectText) {
        JsonNode node;
        try {
            node = MAPPER.readTree(jsonObjectText);
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "entity data is not valid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "entity data must be a JSON object");
        }
        return canonical(node);
    }

    static String canonical(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

}
