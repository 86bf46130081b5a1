package dev.tidemark.protocol;

/**
 * A position in PostgreSQL's write-ahead log: a 64-bit unsigned number.
 *
 * <p>The text form is PostgreSQL's {@code X/Y}: the high and low 32 bits as hexadecimal, each at
 * most 8 digits. Parsing accepts either case; printing uses upper case, as PostgreSQL does
 * ({@code 0/1715F70}). Ordering is unsigned. {@link #ZERO} ({@code 0/0}) means "nothing applied".
 *
 * <p>An LSN only means something within one history (see {@code historyId} in the protocol).
 */
public record Lsn(long value) implements Comparable<Lsn> {

    /** {@code 0/0}: the position before any change. */
    public static final Lsn ZERO = new Lsn(0);

    /** The largest position, {@code FFFFFFFF/FFFFFFFF}. */
    public static final Lsn MAX = new Lsn(-1L);

    /**
     * Parses PostgreSQL's {@code X/Y} form.
     *
     * @throws ProtocolException with {@link ErrorCode#INVALID_LSN} naming the input when it is not
     *     two hexadecimal numbers of 1 to 8 digits separated by one {@code /}
     */
    public static Lsn parse(String text) {
        if (text == null) {
            throw invalid("null");
        }
        int slash = text.indexOf('/');
        int length = text.length();
        if (slash < 1 || slash > 8 || length - slash - 1 < 1 || length - slash - 1 > 8) {
            throw invalid(text);
        }
        long high = parseHex(text, 0, slash);
        long low = parseHex(text, slash + 1, length);
        return new Lsn(high << 32 | low);
    }

    /** Returns the LSN of the 64-bit unsigned value {@code value}. */
    public static Lsn of(long value) {
        return value == 0 ? ZERO : new Lsn(value);
    }

    private static long parseHex(String text, int from, int to) {
        long result = 0;
        for (int i = from; i < to; i++) {
            int digit = Character.digit(text.charAt(i), 16);
            // Character.digit also accepts non-ASCII digits; PostgreSQL's form is ASCII only.
            if (digit < 0 || text.charAt(i) > 'f') {
                throw invalid(text);
            }
            result = result << 4 | digit;
        }
        return result;
    }

    private static ProtocolException invalid(String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        return new ProtocolException(ErrorCode.INVALID_LSN,
                "invalid LSN '" + shown + "': expected PostgreSQL's X/Y form, two hexadecimal numbers"
                        + " of 1 to 8 digits such as 0/1715F70");
    }

    /** True when this position is strictly after {@code other} (unsigned comparison). */
    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    /** True when this position is strictly before {@code other} (unsigned comparison). */
    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    /** The later of the two positions. */
    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    /** PostgreSQL's text form, upper case: {@code 16/B374D848}. */
    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase(java.util.Locale.ROOT) + "/"
                + Long.toHexString(value & 0xFFFF_FFFFL).toUpperCase(java.util.Locale.ROOT);
    }
}
