package dev.tidemark.app.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size setting: bytes, or with {@code KiB}, {@code MiB} or {@code GiB} ({@code 64KiB}).
 *
 * @param bytes the size in bytes
 */
public record ByteSize(long bytes) {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(KiB|MiB|GiB)?");

    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size cannot be negative, got " + bytes);
        }
    }

    /** Parses {@code 1024}, {@code 64KiB}, {@code 16MiB} or {@code 1GiB}. */
    public static ByteSize parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: use bytes, or e.g. 64KiB, 1MiB");
        }
        String unit = m.group(2);
        long factor = unit == null ? 1 : switch (unit) {
            case "KiB" -> 1024;
            case "MiB" -> 1024 * 1024;
            default -> 1024L * 1024 * 1024;
        };
        try {
            return new ByteSize(Math.multiplyExact(Long.parseLong(m.group(1)), factor));
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        }
    }

    /** The size as an {@code int}, for settings that cannot exceed 2 GiB. */
    int intBytes(String key) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("setting " + key + " must be below 2GiB, got " + bytes + " bytes");
        }
        return (int) bytes;
    }
}
