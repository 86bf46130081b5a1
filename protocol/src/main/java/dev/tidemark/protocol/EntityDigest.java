package dev.tidemark.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The digest of one entity, as the source-verify compares it on the server (over the source rows) and on
 * the client (over its store). Version 1, defined here so that a client in any language can compute it.
 *
 * <h2>Canonical data</h2>
 * The entity's JSON data is written in one canonical text, so that two texts meaning the same JSON value
 * have the same canonical text whatever their member order, whitespace or number spelling:
 * <ul>
 *   <li>an object is <code>&#123;</code> then its members {@code "key":value} separated by {@code ,} then
 *       <code>&#125;</code>,
 *       sorted by key in Unicode code point order (equivalently: by the keys' UTF-8 bytes, compared
 *       unsigned); no whitespace anywhere;</li>
 *   <li>an array is {@code [} then its elements in order separated by {@code ,} then {@code ]};</li>
 *   <li>a string (and a key) is {@code "} then its characters then {@code "}, where {@code "} is written
 *       <code>&#92;"</code>, <code>&#92;</code> is written <code>&#92;&#92;</code>, each character from
 *       U+0000 to U+001F is written
 *       <code>&#92;u00XX</code> with two lower-case hexadecimal digits, and every other character is itself
 *       (no other escapes: {@code /} and non-ASCII characters are not escaped);</li>
 *   <li>a number is written by its exact decimal value (never through a binary floating point number):
 *       zero (also {@code -0}, {@code 0.00}, {@code 0e5}) is {@code 0}; any other value is written as an
 *       optional {@code -}, the decimal digits of the integer {@code m}, {@code e}, and the decimal
 *       integer {@code x} (with {@code -} when negative), where value = m &times; 10<sup>x</sup> and
 *       {@code m} has no leading and no trailing zero digit. So {@code 1}, {@code 1.0} and {@code 1E0} are
 *       {@code 1e0}; {@code 1500} and {@code 1.5E3} are {@code 15e2}; {@code 0.0000001} is {@code 1e-7};
 *       {@code -2.50} is {@code -25e-1};</li>
 *   <li>{@code true}, {@code false} and {@code null} are themselves.</li>
 * </ul>
 *
 * <h2>Entity hash</h2>
 * The hash of an entity is the first 16 bytes of the SHA-256 of: the length in bytes of the UTF-8 entity
 * type as a 4-byte big-endian unsigned integer, those bytes, the length of the UTF-8 entity id the same
 * way, those bytes, then the UTF-8 bytes of the canonical data. The 16 bytes are read big-endian as a
 * {@link DigestHash} (bytes 0–7 are {@code high}). The lengths make the input unambiguous whatever the
 * type and id contain.
 *
 * <h2>Bucket</h2>
 * The bucket of an entity id at {@code bits} bits (0 to {@link #MAX_BUCKET_BITS}) is the first {@code bits}
 * bits of the SHA-256 of the UTF-8 id: the first 4 bytes of that hash as a big-endian unsigned 32-bit
 * integer, shifted right by {@code 32 - bits} (bucket 0 when {@code bits} is 0). It depends on the id alone,
 * so an entity stays in its bucket when its data changes, and the buckets at {@code bits + 1} split each
 * bucket at {@code bits} in two (bucket {@code b} into {@code 2b} and {@code 2b + 1}).
 */
public final class EntityDigest {

    /** The version of this definition, for the wire. */
    public static final int VERSION = 1;
    /** The most bucket bits a digest may use (4096 buckets). */
    public static final int MAX_BUCKET_BITS = 12;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private EntityDigest() {}

    /**
     * The canonical text of a JSON value.
     *
     * @throws ProtocolException {@link ErrorCode#INVALID_FIELD} when the text is not one JSON value (or
     *     holds a duplicate key, or nests deeper than {@link Json#MAX_NESTING_DEPTH})
     */
    public static String canonicalData(String json) {
        requireNonNull(json, "json is null");
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "entity data is not valid JSON: " + e.getMessage(), e);
        }
        if (node == null || node.isMissingNode()) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "entity data is empty");
        }
        StringBuilder out = new StringBuilder(json.length());
        write(node, out);
        return out.toString();
    }

    /**
     * The hash of an entity.
     *
     * @param entityType the entity type
     * @param entityId the entity id
     * @param data the entity's JSON data, in any spelling: it is made canonical first
     * @throws ProtocolException {@link ErrorCode#INVALID_FIELD} when {@code data} is not valid JSON
     */
    public static DigestHash hash(String entityType, String entityId, String data) {
        requireNonNull(entityType, "entityType is null");
        requireNonNull(entityId, "entityId is null");
        byte[] type = entityType.getBytes(StandardCharsets.UTF_8);
        byte[] id = entityId.getBytes(StandardCharsets.UTF_8);
        byte[] canonical = canonicalData(data).getBytes(StandardCharsets.UTF_8);
        MessageDigest sha = sha256();
        sha.update(ByteBuffer.allocate(4).putInt(type.length).array());
        sha.update(type);
        sha.update(ByteBuffer.allocate(4).putInt(id.length).array());
        sha.update(id);
        sha.update(canonical);
        ByteBuffer digest = ByteBuffer.wrap(sha.digest());
        return new DigestHash(digest.getLong(), digest.getLong());
    }

    /**
     * The bucket of {@code entityId} at {@code bits} bits: 0 to 2<sup>bits</sup> - 1.
     *
     * @throws IllegalArgumentException when {@code bits} is outside 0 to {@link #MAX_BUCKET_BITS}
     */
    public static int bucket(String entityId, int bits) {
        requireNonNull(entityId, "entityId is null");
        checkBits(bits);
        if (bits == 0) {
            return 0;
        }
        byte[] digest = sha256().digest(entityId.getBytes(StandardCharsets.UTF_8));
        int first = ByteBuffer.wrap(digest).getInt();
        return first >>> (32 - bits);
    }

    static void checkBits(int bits) {
        if (bits < 0 || bits > MAX_BUCKET_BITS) {
            throw new IllegalArgumentException("bucket bits must be from 0 to " + MAX_BUCKET_BITS + ": " + bits);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out);
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> writeNumber(node.decimalValue(), out);
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL -> out.append("null");
            default -> throw new ProtocolException(ErrorCode.INVALID_FIELD,
                    "entity data holds a value JSON cannot carry: " + node.getNodeType());
        }
    }

    private static void writeObject(JsonNode node, StringBuilder out) {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
        members.sort((a, b) -> compareCodePoints(a.getKey(), b.getKey()));
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> member : members) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(member.getKey(), out);
            out.append(':');
            write(member.getValue(), out);
        }
        out.append('}');
    }

    /** Unicode code point order (String.compareTo compares UTF-16 units, which differs above U+FFFF). */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static void writeString(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    private static void writeNumber(BigDecimal value, StringBuilder out) {
        if (value.signum() == 0) {
            out.append('0');
            return;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        out.append(stripped.unscaledValue().toString()).append('e').append(-(long) stripped.scale());
    }
}
