package dev.tidemark.protocol;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One message read from its text in a single pass of the streaming parser: its members as a tree,
 * except the items of a top-level {@code data} array, whose own {@code data} objects (the entity
 * data of each change) are kept as the text they arrived as, checked by the parser but never built
 * into a tree, and whose other members, when they are all text members of a change, are kept as
 * their strings (no tree either). Everything else about the message is checked afterwards by
 * {@link MessageCodec}.
 *
 * @param root the members; {@code data} is among them only when it is not an array
 * @param items the items of the top-level {@code data} array, or null when there is none
 */
record ParsedMessage(ObjectNode root, List<Item> items) {

    /**
     * One item of the {@code data} array: an object whose members are either all in {@code texts}
     * (the shape every Tidemark server sends) or all in {@code fields}; neither when it is no object.
     *
     * @param fields its members except an object-valued {@code data}, when they are not all {@code texts}; else null
     * @param data the text of its {@code data} member when that is an object, else null
     * @param texts its members except an object-valued {@code data}, when each is a string member a change
     *     has; else null
     */
    record Item(ObjectNode fields, String data, ChangeTexts texts) {

        /** The members as a tree, however they were kept; null when the item is no object. */
        ObjectNode tree() {
            return texts != null ? texts.tree() : fields;
        }
    }

    /** The string members of one change item as they arrived; null where a member is absent. */
    record ChangeTexts(String type, String entityType, String entityId, String fromId, String timestamp) {

        /** The same members as a tree, as the parser would have built them. */
        ObjectNode tree() {
            ObjectNode tree = Json.MAPPER.getNodeFactory().objectNode();
            put(tree, "type", type);
            put(tree, "entityType", entityType);
            put(tree, "entityId", entityId);
            put(tree, "fromId", fromId);
            put(tree, "timestamp", timestamp);
            return tree;
        }

        private static void put(ObjectNode tree, String name, String value) {
            if (value != null) {
                tree.put(name, value);
            }
        }
    }

    private static final ObjectReader TREES = Json.MAPPER.readerFor(JsonNode.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * Reads the whole text: it must be one well-formed JSON value, nothing after it.
     *
     * @return the message, or null when the text is no JSON object
     * @throws IOException when the text is not well-formed JSON or breaks a limit of {@link Json}
     */
    static ParsedMessage read(JsonParser parser, String text) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            return null;
        }
        if (first != JsonToken.START_OBJECT) {
            TREES.readValue(parser, JsonNode.class);
            requireEnd(parser);
            return null;
        }
        ObjectNode root = Json.MAPPER.getNodeFactory().objectNode();
        List<Item> items = null;
        int itemsStart = -1;
        int itemsEnd = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.START_ARRAY && name.equals("data")) {
                itemsStart = offset(parser);
                items = readItems(parser, text);
                itemsEnd = offset(parser) + 1;
            } else {
                root.set(name, tree(parser));
            }
        }
        expect(parser, JsonToken.END_OBJECT);
        requireEnd(parser);
        JsonNode type = root.get("type");
        if (items != null && !(type != null && Changes.TYPE.equals(type.textValue()))) {
            // Only 'changes' has a data array of changes; any other message gets its member as a tree.
            root.set("data", Json.MAPPER.readTree(text.substring(itemsStart, itemsEnd)));
            items = null;
        }
        return new ParsedMessage(root, items);
    }

    private static List<Item> readItems(JsonParser parser, String text) throws IOException {
        List<Item> items = new ArrayList<>();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            if (token == null) {
                throw new JsonParseException(parser, "unexpected end of input in the data array");
            }
            if (token != JsonToken.START_OBJECT) {
                tree(parser);
                items.add(new Item(null, null, null));
                continue;
            }
            items.add(readItem(parser, text));
        }
        return items;
    }

    /**
     * One change item, from its '{' to its '}'. Its string members are kept as strings until a member
     * comes that is not a change's string (an unknown name, a number, a null...): from then on the
     * item's members go into a tree, those read so far with them, for the codec's field-by-field checks.
     */
    private static Item readItem(JsonParser parser, String text) throws IOException {
        String type = null;
        String entityType = null;
        String entityId = null;
        String fromId = null;
        String timestamp = null;
        ObjectNode fields = null;
        String data = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.START_OBJECT && name.equals("data")) {
                int start = offset(parser);
                parser.skipChildren(); // the parser still checks every token of it, and its limits
                data = text.substring(start, offset(parser) + 1);
                continue;
            }
            if (fields == null && value == JsonToken.VALUE_STRING) {
                // The parser refuses duplicate names (Json.MAPPER), so a member is set once.
                switch (name) {
                    case "type" -> type = parser.getText();
                    case "entityType" -> entityType = parser.getText();
                    case "entityId" -> entityId = parser.getText();
                    case "fromId" -> fromId = parser.getText();
                    case "timestamp" -> timestamp = parser.getText();
                    default -> fields = new ChangeTexts(type, entityType, entityId, fromId, timestamp).tree();
                }
                if (fields == null) {
                    continue;
                }
            } else if (fields == null) {
                fields = new ChangeTexts(type, entityType, entityId, fromId, timestamp).tree();
            }
            fields.set(name, tree(parser));
        }
        expect(parser, JsonToken.END_OBJECT);
        return fields != null ? new Item(fields, data, null)
                : new Item(null, data, new ChangeTexts(type, entityType, entityId, fromId, timestamp));
    }

    /** The current value as a tree; strings, booleans and null (most fields) without the databind machinery. */
    private static JsonNode tree(JsonParser parser) throws IOException {
        JsonNodeFactory nodes = Json.MAPPER.getNodeFactory();
        switch (parser.currentToken()) {
            case VALUE_STRING:
                return nodes.textNode(parser.getText());
            case VALUE_TRUE:
                return nodes.booleanNode(true);
            case VALUE_FALSE:
                return nodes.booleanNode(false);
            case VALUE_NULL:
                return nodes.nullNode();
            default:
                JsonNode node = TREES.readValue(parser, JsonNode.class);
                return node == null ? nodes.nullNode() : node;
        }
    }

    /** The character offset of the current token ('{', '[', '}' or ']') in the text. */
    private static int offset(JsonParser parser) {
        return Math.toIntExact(parser.currentTokenLocation().getCharOffset());
    }

    private static void expect(JsonParser parser, JsonToken token) throws IOException {
        if (parser.currentToken() != token) {
            throw new JsonParseException(parser, "expected " + token + " but found " + parser.currentToken());
        }
    }

    private static void requireEnd(JsonParser parser) throws IOException {
        JsonToken after = parser.nextToken();
        if (after != null) {
            throw new JsonParseException(parser, "trailing token (" + after + ") after the message");
        }
    }
}
