package dev.tidemark.protocol;

/**
 * A 128-bit value of the source-verify digests ({@link EntityDigest}, {@link TypeDigest}): an entity's
 * hash, or the sum of entity hashes modulo 2<sup>128</sup>. On the wire: 32 lower-case hexadecimal digits,
 * {@code high} first.
 *
 * @param high the upper 64 bits
 * @param low the lower 64 bits
 */
public record DigestHash(long high, long low) {

    /** The sum of no hashes. */
    public static final DigestHash ZERO = new DigestHash(0, 0);

    /** This value plus {@code other}, modulo 2<sup>128</sup>. */
    public DigestHash plus(DigestHash other) {
        long sumLow = low + other.low;
        long carry = Long.compareUnsigned(sumLow, low) < 0 ? 1 : 0;
        return new DigestHash(high + other.high + carry, sumLow);
    }

    /** This value minus {@code other}, modulo 2<sup>128</sup>. */
    public DigestHash minus(DigestHash other) {
        long difference = low - other.low;
        long borrow = Long.compareUnsigned(low, other.low) < 0 ? 1 : 0;
        return new DigestHash(high - other.high - borrow, difference);
    }

    /** The wire form: 32 lower-case hexadecimal digits. */
    public String toHex() {
        return Checksum.toHex(high) + Checksum.toHex(low);
    }

    /**
     * Parses the wire form.
     *
     * @throws ProtocolException {@link ErrorCode#INVALID_FIELD} unless the text is exactly 32 hexadecimal digits
     */
    public static DigestHash fromHex(String hex) {
        if (hex == null || hex.length() != 32) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD,
                    "invalid digest '" + hex + "': expected 32 hexadecimal digits");
        }
        try {
            return new DigestHash(Checksum.fromHex(hex.substring(0, 16)), Checksum.fromHex(hex.substring(16)));
        } catch (ProtocolException e) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD,
                    "invalid digest '" + hex + "': expected 32 hexadecimal digits", e);
        }
    }

    @Override
    public String toString() {
        return toHex();
    }
}
