package dev.tidemark.protocol;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Checksums over changes, used to prove that nothing was skipped, altered or applied twice.
 *
 * <p>A change's checksum is a 64-bit value: CRC-32C in the high half and CRC-32 in the low half of
 * the UTF-8 bytes of {@code type, entityType, entityId, data} joined by the unit separator
 * {@code U+001F} (absent values as empty text); a {@code move} appends a further separator and its
 * {@code fromId} (so every other type's checksum is unchanged). Both CRCs are CPU intrinsics, so this stays cheap on
 * the hot path. The checksum of a list of changes is the sum of theirs modulo 2<sup>64</sup>, so
 * checksums of consecutive ranges add up: a client's running checksum is comparable to the server's
 * sum over its change history up to the same LSN. On the wire a checksum is 16 lower-case hex digits.
 */
public final class Checksum {

    private static final char SEPARATOR = '\u001F';

    private Checksum() {}

    /** The checksum of one change. */
    public static long of(Change change) {
        StringBuilder text = new StringBuilder(64 + (change.data() == null ? 0 : change.data().length())
                + (change.fromId() == null ? 0 : change.fromId().length()));
        text.append(change.type().wireName()).append(SEPARATOR)
                .append(change.entityType()).append(SEPARATOR);
        if (change.entityId() != null) {
            text.append(change.entityId());
        }
        text.append(SEPARATOR);
        if (change.data() != null) {
            text.append(change.data());
        }
        if (change.fromId() != null) {
            text.append(SEPARATOR).append(change.fromId());
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        CRC32C crc32c = new CRC32C();
        crc32c.update(bytes);
        CRC32 crc32 = new CRC32();
        crc32.update(bytes);
        return crc32c.getValue() << 32 | crc32.getValue();
    }

    /** The sum of the changes' checksums, modulo 2<sup>64</sup>. */
    public static long of(Iterable<Change> changes) {
        long sum = 0;
        for (Change change : changes) {
            sum += of(change);
        }
        return sum;
    }

    /** The wire form: 16 lower-case hexadecimal digits. */
    public static String toHex(long checksum) {
        String hex = Long.toHexString(checksum);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /**
     * Parses the wire form.
     *
     * @throws ProtocolException {@link ErrorCode#INVALID_FIELD} unless the text is exactly 16
     *     hexadecimal digits
     */
    public static long fromHex(String hex) {
        if (hex == null || hex.length() != 16) {
            throw invalid(hex);
        }
        long value = 0;
        for (int i = 0; i < 16; i++) {
            char c = hex.charAt(i);
            int digit = c <= 'f' ? Character.digit(c, 16) : -1;
            if (digit < 0) {
                throw invalid(hex);
            }
            value = value << 4 | digit;
        }
        return value;
    }

    private static ProtocolException invalid(String hex) {
        return new ProtocolException(ErrorCode.INVALID_FIELD,
                "invalid checksum '" + hex + "': expected 16 hexadecimal digits");
    }
}
