package dev.tidemark.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * The merge of an {@code update} into a stored entity (DESIGN section 4): members present in the
 * update replace the stored ones — a member whose value is JSON {@code null} becomes {@code null} and
 * stays present — members absent from the update keep their stored value, and nested objects are
 * replaced whole (a shallow merge, like PostgreSQL's {@code jsonb || jsonb}; unlike RFC 7396, which
 * drops null members and merges deeply). Numbers keep every digit.
 */
public final class JsonMerge {

    private JsonMerge() {}

    /**
     * Returns the canonical text of {@code stored} merged with {@code update}: stored members first in
     * their order (replaced values in place), then members new in the update.
     *
     * @throws ProtocolException {@link ErrorCode#INVALID_FIELD} when either text is not one JSON object
     */
    public static String merge(String stored, String update) {
        ObjectNode merged = object(stored, "stored entity");
        merged.setAll(object(update, "update"));
        return Json.canonical(merged);
    }

    private static ObjectNode object(String text, String what) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(text);
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, what + " data is not valid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, what + " data must be a JSON object");
        }
        return (ObjectNode) node;
    }
}
