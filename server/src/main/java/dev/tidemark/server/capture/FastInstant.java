package dev.tidemark.server.capture;

import java.time.LocalDate;

/**
 * The common case of {@link TemporalText#timestamptz} without {@code java.time} parsing and
 * formatting, which dominate capture's per-change cost: a four-digit year AD, {@code HH:MM:SS},
 * optional fraction, an offset of {@code ±HH[:MM[:SS]]}. Output is exactly {@code Instant.toString()}
 * (the fraction in groups of three digits); anything else returns {@code null} for the general path.
 */
final class FastInstant {

    private static final int SECONDS_PER_DAY = 86_400;

    private FastInstant() {}

    static String timestamptz(String text) {
        int n = text.length();
        if (n < 22 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != ' '
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23
                || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int at = 19;
        int nanos = 0;
        if (text.charAt(at) == '.') {
            int scale = 100_000_000;
            at++;
            while (at < n && Character.isDigit(text.charAt(at))) {
                if (scale == 0) {
                    return null;
                }
                nanos += (text.charAt(at) - '0') * scale;
                scale /= 10;
                at++;
            }
        }
        if (at + 3 > n) {
            return null;
        }
        char sign = text.charAt(at);
        if (sign != '+' && sign != '-') {
            return null;
        }
        int offset = digits(text, at + 1, at + 3) * 3600;
        at += 3;
        if (at < n) {
            if (at + 3 > n || text.charAt(at) != ':') {
                return null;
            }
            offset += digits(text, at + 1, at + 3) * 60;
            at += 3;
            if (at < n) {
                if (at + 3 != n || text.charAt(at) != ':') {
                    return null;
                }
                offset += digits(text, at + 1, at + 3);
                at += 3;
            }
        }
        if (at != n || offset < 0) {
            return null;
        }
        LocalDate date;
        try {
            date = LocalDate.of(year, month, day);
        } catch (java.time.DateTimeException e) {
            return null;
        }
        long epochSecond = date.toEpochDay() * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second
                + (sign == '+' ? -offset : offset);
        long epochDay = Math.floorDiv(epochSecond, SECONDS_PER_DAY);
        int secondOfDay = Math.floorMod(epochSecond, SECONDS_PER_DAY);
        LocalDate utcDate = LocalDate.ofEpochDay(epochDay);
        if (utcDate.getYear() < 1000 || utcDate.getYear() > 9999) {
            return null;
        }
        StringBuilder out = new StringBuilder(30);
        out.append(utcDate.getYear()).append('-');
        two(out, utcDate.getMonthValue()).append('-');
        two(out, utcDate.getDayOfMonth()).append('T');
        two(out, secondOfDay / 3600).append(':');
        two(out, secondOfDay / 60 % 60).append(':');
        two(out, secondOfDay % 60);
        if (nanos != 0) {
            out.append('.');
            if (nanos % 1_000_000 == 0) {
                pad(out, nanos / 1_000_000, 3);
            } else if (nanos % 1_000 == 0) {
                pad(out, nanos / 1_000, 6);
            } else {
                pad(out, nanos, 9);
            }
        }
        return out.append('Z').toString();
    }

    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1_000_000;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static StringBuilder two(StringBuilder out, int value) {
        if (value < 10) {
            out.append('0');
        }
        return out.append(value);
    }

    private static void pad(StringBuilder out, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        out.append(digits);
    }
}
