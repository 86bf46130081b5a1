package dev.tidemark.server.cli;

import dev.tidemark.server.http.ServerSettings;
import java.time.Duration;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration option the way settings read durations: {@code 500ms}, {@code 15s}, {@code 2m},
 * {@code 1h}, {@code 30d}, ISO-8601 ({@code PT15S}), or a plain number of seconds.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern SECONDS = Pattern.compile("\\d+");
    private static final Pattern DAYS = Pattern.compile("(\\d+)d");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** Parses {@code value}; see the class description. */
    public static Duration parse(String value) {
        String text = value.trim();
        try {
            if (SECONDS.matcher(text).matches()) {
                return Duration.ofSeconds(Long.parseLong(text));
            }
            var days = DAYS.matcher(text);
            if (days.matches()) {
                return Duration.ofDays(Long.parseLong(days.group(1)));
            }
            return ServerSettings.parseDuration(text);
        } catch (RuntimeException e) {
            throw new TypeConversionException("'" + value + "' is not a duration: use 15s, 2m, 1h, 30d, PT15S"
                    + " or a number of seconds");
        }
    }
}
