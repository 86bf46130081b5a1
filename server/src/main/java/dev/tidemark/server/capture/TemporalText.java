package dev.tidemark.server.capture;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;

/**
 * Turns PostgreSQL's ISO-style date/time output ({@code DateStyle=ISO}, which PgJDBC requires) into
 * ISO-8601: {@code 2024-05-06 07:08:09.5+02} becomes {@code 2024-05-06T05:08:09.500Z}. Years after 9999
 * get a {@code +} sign and years BC become ISO years ({@code 1 BC} is {@code 0000}), as ISO-8601
 * expanded years. {@code infinity} and {@code -infinity} stay as they are.
 */
final class TemporalText {

    private TemporalText() {}

    /** timestamp without time zone → {@code 2024-05-06T07:08:09.123456}. */
    static String timestamp(String text) {
        if (isInfinity(text)) {
            return text;
        }
        boolean bc = text.endsWith(" BC");
        String value = bc ? text.substring(0, text.length() - 3) : text;
        int space = value.indexOf(' ');
        if (space < 0) {
            throw new IllegalArgumentException("not a timestamp: " + text);
        }
        return isoYear(value.substring(0, space), bc) + "T" + value.substring(space + 1);
    }

    /** timestamp with time zone → the instant in UTC, {@code 2024-05-06T05:08:09.123456Z}. */
    static String timestamptz(String text) {
        if (isInfinity(text)) {
            return text;
        }
        String fast = FastInstant.timestamptz(text);
        if (fast != null) {
            return fast;
        }
        return slowTimestamptz(text);
    }

    /** The general path of {@link #timestamptz}: any year, BC, any offset form. */
    static String slowTimestamptz(String text) {
        boolean bc = text.endsWith(" BC");
        String value = bc ? text.substring(0, text.length() - 3) : text;
        int space = value.indexOf(' ');
        int offsetAt = offsetStart(value, space + 1);
        if (space < 0 || offsetAt < 0) {
            throw new IllegalArgumentException("not a timestamp with time zone: " + text);
        }
        LocalDate date = date(value.substring(0, space), bc);
        LocalTime time = LocalTime.parse(value.substring(space + 1, offsetAt));
        ZoneOffset offset = ZoneOffset.of(value.substring(offsetAt));
        Instant instant = LocalDateTime.of(date, time).toInstant(offset);
        return instant.toString();
    }

    /** time with time zone → {@code 07:08:09.5+02:00} ({@code Z} for UTC). */
    static String timetz(String text) {
        int offsetAt = offsetStart(text, 0);
        if (offsetAt < 0) {
            throw new IllegalArgumentException("not a time with time zone: " + text);
        }
        return text.substring(0, offsetAt) + ZoneOffset.of(text.substring(offsetAt)).getId();
    }

    private static int offsetStart(String value, int from) {
        for (int i = value.length() - 1; i > from; i--) {
            char c = value.charAt(i);
            if (c == '+' || c == '-') {
                return i;
            }
        }
        return -1;
    }

    private static boolean isInfinity(String text) {
        return text.equals("infinity") || text.equals("-infinity");
    }

    private static LocalDate date(String text, boolean bc) {
        int firstDash = text.indexOf('-');
        int year = Integer.parseInt(text.substring(0, firstDash));
        int month = Integer.parseInt(text.substring(firstDash + 1, firstDash + 3));
        int day = Integer.parseInt(text.substring(firstDash + 4, firstDash + 6));
        return LocalDate.of(bc ? 1 - year : year, month, day);
    }

    private static String isoYear(String date, boolean bc) {
        int firstDash = date.indexOf('-');
        if (!bc && firstDash == 4) {
            return date;
        }
        int year = Integer.parseInt(date.substring(0, firstDash));
        int isoYear = bc ? 1 - year : year;
        String rest = date.substring(firstDash);
        if (isoYear > 9999) {
            return "+" + isoYear + rest;
        }
        if (isoYear < 0) {
            return "-" + String.format("%04d", -isoYear) + rest;
        }
        return String.format("%04d", isoYear) + rest;
    }
}
