package dev.tidemark.app.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads durations: {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h}, {@code 30d}, ISO-8601 ({@code PT15S}) or seconds. */
public final class Durations {

    private static final Pattern AMOUNT = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    private Durations() {}

    /**
     * @throws IllegalArgumentException saying which forms are accepted
     */
    public static Duration parse(String text) {
        String trimmed = text.trim();
        Matcher m = AMOUNT.matcher(trimmed);
        try {
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                return switch (unit) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            }
            return Duration.parse(trimmed.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: use 500ms, 15s, 2m, 1h, 30d, PT15S"
                    + " or a number of seconds");
        }
    }
}
