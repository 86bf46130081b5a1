package dev.tidemark.server.oracle;

import dev.tidemark.server.oracle.RawJson.RawNumber;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the oracle compares one column: PostgreSQL's own rendering ({@code row_to_json}, read with
 * session {@code TimeZone=UTC} and {@code DateStyle=ISO}) against the value rebuilt from the change
 * log. Each rule is a documented normalisation between the two, written without the capture's
 * renderer:
 *
 * <ul>
 *   <li>{@link #INTEGER}: both JSON numbers, equal as integers.
 *   <li>{@link #NUMERIC}: PostgreSQL's number text and ours are equal as {@link BigDecimal} including the
 *       scale ({@code 1.50} is not {@code 1.5}; {@code 0.0000001} equals {@code 1E-7}). A number longer
 *       than 1000 characters is a string of PostgreSQL's text; {@code NaN}/{@code Infinity}/{@code -Infinity}
 *       are strings on both sides.
 *   <li>{@link #FLOAT}: as {@link #NUMERIC}; negative zero ({@code -0}) is the string {@code "-0"}.
 *   <li>{@link #STRING}: the same string (text, varchar, char(n) with its padding, uuid, date, time,
 *       interval, enums, inet, bytea in hex, box ...).
 *   <li>{@link #BOOLEAN}: the same boolean.
 *   <li>{@link #TIMESTAMP}: PostgreSQL's {@code 0044-03-15T10:00:00 BC} is ours with an ISO-8601 year
 *       ({@code -0043-03-15T10:00:00}); years after 9999 carry a {@code +}; the rest of the text is equal.
 *   <li>{@link #TIMESTAMPTZ}: the same instant, ours written exactly as {@link Instant#toString()}.
 *   <li>{@link #TIMETZ}: the same local time text; the same offset, ours as {@link ZoneOffset#getId()}
 *       ({@code Z} for {@code +00:00}).
 *   <li>{@link #JSON}: the same JSON tree: object members in any order, numbers equal by value
 *       (the protocol's canonical form prints them exactly, so {@code -0} is {@code 0}).
 *   <li>{@link #ARRAY_OF}: a JSON array of the element rule, nested per dimension, lower bounds dropped.
 * </ul>
 * {@code infinity}/{@code -infinity} of dates and times are equal strings on both sides.
 */
enum Rule {
    INTEGER, NUMERIC, FLOAT, STRING, BOOLEAN, TIMESTAMP, TIMESTAMPTZ, TIMETZ, JSON, ARRAY_OF;

    /**
     * Compares PostgreSQL's value with ours.
     *
     * @param element the element rule of an {@link #ARRAY_OF}, else ignored
     * @return {@code null} when they are equal, otherwise why not
     */
    static String compare(Rule rule, Rule element, Object source, Object ours) {
        if (source == null || ours == null) {
            return source == ours ? null : "null on one side only";
        }
        try {
            boolean equal = switch (rule) {
                case INTEGER -> ours instanceof RawNumber o && source instanceof RawNumber s
                        && new java.math.BigInteger(o.text()).equals(new java.math.BigInteger(s.text()));
                case NUMERIC, FLOAT -> number(rule, source, ours);
                case STRING, BOOLEAN -> source.equals(ours);
                case TIMESTAMP -> ours.equals(timestamp((String) source));
                case TIMESTAMPTZ -> timestamptz((String) source, (String) ours);
                case TIMETZ -> ours.equals(timetz((String) source));
                case JSON -> json(source, ours);
                case ARRAY_OF -> array(element, source, ours);
            };
            return equal ? null : "differs";
        } catch (RuntimeException e) {
            return "cannot compare: " + e;
        }
    }

    private static boolean number(Rule rule, Object source, Object ours) {
        if (source instanceof String s) {
            return s.equals(ours);
        }
        String text = ((RawNumber) source).text();
        if (rule == FLOAT && text.equals("-0")) {
            return "-0".equals(ours);
        }
        if (text.length() > 1000) {
            return text.equals(ours);
        }
        return ours instanceof RawNumber o && new BigDecimal(o.text()).equals(new BigDecimal(text));
    }

    private static boolean array(Rule element, Object source, Object ours) {
        if (!(source instanceof List<?> s) || !(ours instanceof List<?> o) || s.size() != o.size()) {
            return false;
        }
        for (int i = 0; i < s.size(); i++) {
            Object a = s.get(i);
            Object b = o.get(i);
            if (a instanceof List<?> || b instanceof List<?>) {
                if (!array(element, a, b)) {
                    return false;
                }
            } else if (compare(element, null, a, b) != null) {
                return false;
            }
        }
        return true;
    }

    private static boolean json(Object source, Object ours) {
        if (source instanceof RawNumber s) {
            return ours instanceof RawNumber o && new BigDecimal(s.text()).compareTo(new BigDecimal(o.text())) == 0;
        }
        if (source instanceof Map<?, ?> s) {
            if (!(ours instanceof Map<?, ?> o) || !s.keySet().equals(o.keySet())) {
                return false;
            }
            return s.keySet().stream().allMatch(k -> s.get(k) == null ? o.get(k) == null
                    : o.get(k) != null && json(s.get(k), o.get(k)));
        }
        if (source instanceof List<?> s) {
            if (!(ours instanceof List<?> o) || s.size() != o.size()) {
                return false;
            }
            for (int i = 0; i < s.size(); i++) {
                if (!(s.get(i) == null ? o.get(i) == null : o.get(i) != null && json(s.get(i), o.get(i)))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(source, ours);
    }

    /** {@code 0044-03-15T10:00:00 BC} → {@code -0043-03-15T10:00:00}; {@code 10000-...} → {@code +10000-...}. */
    static String timestamp(String source) {
        if (source.equals("infinity") || source.equals("-infinity")) {
            return source;
        }
        boolean bc = source.endsWith(" BC");
        String text = bc ? source.substring(0, source.length() - 3) : source;
        int dash = text.indexOf('-');
        long year = Long.parseLong(text.substring(0, dash));
        long iso = bc ? 1 - year : year;
        String yearText;
        if (iso > 9999) {
            yearText = "+" + iso;
        } else if (iso < 0) {
            yearText = "-" + String.format("%04d", -iso);
        } else {
            yearText = String.format("%04d", iso);
        }
        return yearText + text.substring(dash);
    }

    private static boolean timestamptz(String source, String ours) {
        if (source.equals("infinity") || source.equals("-infinity")) {
            return source.equals(ours);
        }
        Instant expected = OffsetDateTime.parse(timestamp(source)).toInstant();
        Instant actual = Instant.parse(ours);
        return expected.equals(actual) && ours.equals(actual.toString());
    }

    /** {@code 07:08:09.5+02:00} stays; {@code +00:00} becomes {@code Z}. */
    static String timetz(String source) {
        int sign = Math.max(source.lastIndexOf('+'), source.lastIndexOf('-'));
        return source.substring(0, sign) + ZoneOffset.of(source.substring(sign)).getId();
    }
}
