package dev.tidemark.protocol;

import static java.util.Objects.requireNonNull;

/**
 * An entity's data, checked: text that is exactly one JSON object (RFC 8259, nothing lenient,
 * nesting at most {@value Json#MAX_NESTING_DEPTH} deep). Whoever holds one need not check it again;
 * the client core checks each change's {@link Change#data()} once and hands stores this type.
 *
 * <p>The text is kept as given (not made canonical): {@link Checksum}s are computed over the change
 * as it arrived, and a store may keep the text or parse it as it likes.
 */
public final class EntityData {

    private final String text;

    private EntityData(String text) {
        this.text = text;
    }

    /**
     * Checks {@code text} and wraps it.
     *
     * @throws ProtocolException {@link ErrorCode#INVALID_FIELD} when {@code text} is not one JSON object
     */
    public static EntityData parse(String text) {
        requireNonNull(text, "entity data is null");
        if (!JsonObjectText.isObject(text)) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "entity data is not one JSON object (or nests deeper than "
                    + Json.MAX_NESTING_DEPTH + " levels): " + abbreviated(text));
        }
        return new EntityData(text);
    }

    /** The JSON object text, as given. */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EntityData data && data.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return abbreviated(text);
    }

    private static String abbreviated(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
