package dev.tidemark.protocol;

import java.math.BigDecimal;

/**
 * Tells whether well-formed JSON text is already exactly its canonical form ({@link Json}): what
 * writing its tree again would produce. One pass over the characters, no tree: a decoder keeps such
 * text as it arrived and builds and writes a tree only for text spelled otherwise (white space,
 * {@code \/} or <code>&#92;u00e9</code> escapes, {@code 1e5} for {@code 1E+5}, {@code -0}).
 *
 * <p>The input must already be known to be well-formed JSON (the decoder's parser checked it); this
 * only compares spellings. Canonical text, as Jackson writes it: no white space outside strings;
 * in strings only {@code "} and {@code \} and control characters escaped, those as {@code \b \f \n
 * \r \t} or else <code>&#92;u00XX</code> with upper-case hex digits; integers without {@code -0}; numbers
 * with a fraction or exponent exactly as {@link BigDecimal#toString()} prints them.
 */
final class CanonicalJsonText {

    private CanonicalJsonText() {}

    /** True when {@code text} (well-formed JSON) is spelled exactly as {@link Json} writes it. */
    static boolean isCanonical(String text) {
        int length = text.length();
        int at = 0;
        while (at < length) {
            char c = text.charAt(at);
            if (c == '"') {
                at = string(text, at + 1);
                if (at < 0) {
                    return false;
                }
            } else if (c == '-' || c >= '0' && c <= '9') {
                at = number(text, at);
                if (at < 0) {
                    return false;
                }
            } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                return false;
            } else {
                at++;
            }
        }
        return true;
    }

    /** From after the opening quote to after the closing one, or -1 when an escape is not canonical. */
    private static int string(String text, int at) {
        int length = text.length();
        while (at < length) {
            char c = text.charAt(at++);
            if (c == '"') {
                return at;
            }
            if (c == '\\') {
                char escaped = text.charAt(at++);
                switch (escaped) {
                    case '"', '\\', 'b', 'f', 'n', 'r', 't' -> { }
                    case 'u' -> {
                        String hex = text.substring(at, at + 4);
                        at += 4;
                        int value = Integer.parseInt(hex, 16);
                        if (value >= 0x20 || "\b\f\n\r\t".indexOf(value) >= 0
                                || !hex.equals(String.format("%04X", value))) {
                            return -1;
                        }
                    }
                    default -> {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }

    /** From the number's first character to after it, or -1 when it is not spelled canonically. */
    private static int number(String text, int start) {
        int at = start;
        boolean decimal = false;
        int length = text.length();
        while (at < length) {
            char c = text.charAt(at);
            if (c == '.' || c == 'e' || c == 'E') {
                decimal = true;
            } else if (!(c >= '0' && c <= '9' || c == '-' || c == '+')) {
                break;
            }
            at++;
        }
        String number = text.substring(start, at);
        if (decimal) {
            return new BigDecimal(number).toString().equals(number) ? at : -1;
        }
        return number.equals("-0") ? -1 : at;
    }
}
